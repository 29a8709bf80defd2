import CImageCodecs
import OnyxIR

/// ImageDecoder: an encoded image (a 1-D uint8 tensor holding the file's
/// bytes) decoded to [height, width, 3] in RGB or BGR order, or
/// [height, width, 1] in greyscale.
///
/// The format is told by the data's first bytes. JPEG, PNG, TIFF, WebP and
/// JPEG 2000 go through Debian's libraries, loaded the first time one is
/// needed (`CImageCodecs`); BMP and PNM, which none of those reads, are
/// parsed here. Every decoder gives 8-bit RGB, as PIL (the reference's and
/// the node suite's decoder) does: alpha dropped, grey spread to three
/// channels, palettes expanded, 16-bit samples cut to their high byte (PIL
/// reads 16-bit grey as 32-bit integers instead, and clips them at 255).
/// Greyscale is PIL's `convert("L")` of that RGB. Dims in a file are
/// claims: each is checked against the data's length and the runtime's
/// budget before anything is allocated for it.
enum ImageDecoderKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("ImageDecoder", versions: 20...Int64.max) { call throws(RuntimeError) in [try decode(call)] }
    ]

    /// A decoded image: rows from the top, three bytes (R, G, B) a pixel.
    struct RGBImage {
        let height: Int
        let width: Int
        var pixels: [UInt8]
    }

    static func decode(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let input = try call.input(0)
        guard input.rank == 1, case .uint8(let bytes) = input.elements else {
            throw call.failure("encoded_stream must be a 1-D uint8 tensor, not \(input.dataType) of shape \(input.shape)")
        }
        guard let pixelFormat = call.string("pixel_format") else { throw call.failure("attribute 'pixel_format' is missing") }
        guard ["RGB", "BGR", "Grayscale"].contains(pixelFormat) else {
            throw call.failure("pixel_format '\(pixelFormat)' is none of RGB, BGR, Grayscale")
        }
        var image = try decodeRGB(bytes, call)
        switch pixelFormat {
        case "BGR":
            for i in stride(from: 0, to: image.pixels.count, by: 3) { image.pixels.swapAt(i, i + 2) }
            fallthrough
        case "RGB":
            return DenseTensor(shape: [image.height, image.width, 3], elements: .uint8(image.pixels))
        default:
            // ITU-R 601-2 luma in 16-bit fixed point, rounded, as PIL's
            // RGB-to-L conversion computes it.
            let p = image.pixels
            let grey = stride(from: 0, to: p.count, by: 3).map { i -> UInt8 in
                let r = UInt32(p[i]) * 19595, g = UInt32(p[i + 1]) * 38470, b = UInt32(p[i + 2]) * 7471
                return UInt8((r + g + b + 0x8000) >> 16)
            }
            return DenseTensor(shape: [image.height, image.width, 1], elements: .uint8(grey))
        }
    }

    /// The image `bytes` encode, in whichever format their start says.
    static func decodeRGB(_ bytes: [UInt8], _ call: KernelCall) throws(RuntimeError) -> RGBImage {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<(offset + prefix.count)]) == prefix
        }
        if starts(Array("BM".utf8)) { return try BMP.decode(bytes, call) }
        if bytes.count >= 3, bytes[0] == UInt8(ascii: "P"), (UInt8(ascii: "1")...UInt8(ascii: "6")).contains(bytes[1]),
            PNM.isWhitespace(bytes[2])
        {
            return try PNM.decode(bytes, call)
        }
        let codec: Codec
        if starts([0xFF, 0xD8, 0xFF]) {
            codec = .jpeg
        } else if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            codec = .png
        } else if starts(Array("II*\0".utf8)) || starts(Array("MM\0*".utf8)) || starts(Array("II+\0".utf8))
            || starts(Array("MM\0+".utf8))
        {
            codec = .tiff
        } else if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) {
            codec = .webp
        } else if starts([0, 0, 0, 12, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A]) || starts([0xFF, 0x4F, 0xFF, 0x51]) {
            codec = .jpeg2000
        } else {
            let start = bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: " ")
            throw call.failure(
                "the data is no BMP, JPEG, JPEG 2000, PNG, PNM, TIFF or WebP image (its first bytes: \(start.isEmpty ? "none" : start))")
        }
        return try codec.decode(bytes, call)
    }

    // MARK: - Through the libraries

    /// A format one of Debian's libraries decodes.
    struct Codec {
        let format: onyx_image_format
        let name: String
        /// The Debian package that brings the library (and its headers).
        let package: String

        static let jpeg = Codec(format: ONYX_IMAGE_JPEG, name: "JPEG", package: "libjpeg62-turbo-dev")
        static let png = Codec(format: ONYX_IMAGE_PNG, name: "PNG", package: "libpng-dev")
        static let tiff = Codec(format: ONYX_IMAGE_TIFF, name: "TIFF", package: "libtiff-dev")
        static let webp = Codec(format: ONYX_IMAGE_WEBP, name: "WebP", package: "libwebp-dev")
        static let jpeg2000 = Codec(format: ONYX_IMAGE_JPEG2000, name: "JPEG 2000", package: "libopenjp2-7-dev")

        func decode(_ bytes: [UInt8], _ call: KernelCall) throws(RuntimeError) -> RGBImage {
            var image = onyx_image()
            let status = bytes.withUnsafeBufferPointer { buffer in
                onyx_image_decode(Int32(format.rawValue), buffer.baseAddress, buffer.count, Int64(RuntimeBudget.maxElements), &image)
            }
            defer { onyx_image_free(&image) }
            let message = withUnsafeBytes(of: image.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            switch UInt32(status) {
            case ONYX_IMAGE_OK.rawValue:
                let height = Int(image.height), width = Int(image.width)
                return RGBImage(
                    height: height, width: width,
                    pixels: Array(UnsafeBufferPointer(start: image.pixels, count: height * width * 3)))
            case ONYX_IMAGE_UNAVAILABLE.rawValue:
                throw call.failure("\(name) decoding is not available: install \(package) (\(message))")
            case ONYX_IMAGE_TOO_LARGE.rawValue:
                _ = try call.elementCount([Int(image.height), Int(image.width), 3])
                throw call.failure("the \(name) image of \(image.width) x \(image.height) pixels cannot be decoded: \(message)")
            default:
                throw call.failure("the \(name) data cannot be decoded: \(message)")
            }
        }
    }

    // MARK: - Parsed here

    /// Little-endian fields of a file, nil past its end.
    struct Fields {
        let bytes: [UInt8]

        func u16(_ offset: Int) -> Int? {
            guard offset >= 0, offset + 2 <= bytes.count else { return nil }
            return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
        }

        func u32(_ offset: Int) -> Int? {
            guard let low = u16(offset), let high = u16(offset + 2) else { return nil }
            return low | high << 16
        }

        func i32(_ offset: Int) -> Int? { u32(offset).map { Int(Int32(truncatingIfNeeded: $0)) } }
    }

    /// Windows bitmaps: the core (OS/2) header and the info headers of
    /// every version; 1, 4 and 8 bits through a palette, 16 and 32 through
    /// channel masks (5-5-5 and 8-8-8 by default), 24 as B, G, R bytes;
    /// uncompressed or with bit fields. Rows run from the bottom unless the
    /// height is negative, each padded to four bytes.
    enum BMP {
        static func decode(_ bytes: [UInt8], _ call: KernelCall) throws(RuntimeError) -> RGBImage {
            let fields = Fields(bytes: bytes)
            func field(_ value: Int?) throws(RuntimeError) -> Int {
                guard let value else { throw call.failure("the BMP header is truncated (\(bytes.count) bytes)") }
                return value
            }
            let dataOffset = try field(fields.u32(10)), headerSize = try field(fields.u32(14))
            let width: Int, signedHeight: Int, bitsPerPixel: Int, compression: Int, paletteEntrySize: Int
            var colorsUsed = 0
            if headerSize == 12 {
                width = try field(fields.u16(18))
                signedHeight = try field(fields.u16(20))
                bitsPerPixel = try field(fields.u16(24))
                compression = 0
                paletteEntrySize = 3
            } else if headerSize >= 40 {
                width = try field(fields.i32(18))
                signedHeight = try field(fields.i32(22))
                bitsPerPixel = try field(fields.u16(28))
                compression = try field(fields.u32(30))
                colorsUsed = try field(fields.u32(46))
                paletteEntrySize = 4
            } else {
                throw call.failure("the BMP header size \(headerSize) is none of the known ones (12, 40 and up)")
            }
            let height = abs(signedHeight)
            guard width > 0, height > 0 else { throw call.failure("the BMP image is \(width) x \(signedHeight) pixels") }
            let count = try call.elementCount([height, width, 3])
            guard [1, 4, 8, 16, 24, 32].contains(bitsPerPixel) else {
                throw call.failure("a BMP of \(bitsPerPixel) bits per pixel is not supported (1, 4, 8, 16, 24 and 32 are)")
            }
            // 0: none; 3 and 6: bit fields (6 with an alpha mask, dropped).
            guard compression == 0 || compression == 3 || compression == 6 else {
                throw call.failure("BMP compression \(compression) (RLE, JPEG or PNG inside) is not supported")
            }
            let rowBytes = (bitsPerPixel * width + 31) / 32 * 4
            let (needed, overflow) = rowBytes.multipliedReportingOverflow(by: height)
            guard dataOffset <= bytes.count, !overflow, needed <= bytes.count - dataOffset else {
                throw call.failure(
                    "the BMP pixel data is truncated: \(width) x \(height) at \(bitsPerPixel) bits needs \(rowBytes) x \(height) bytes from offset \(dataOffset), the file has \(bytes.count) bytes")
            }
            var palette: [[UInt8]] = []
            if bitsPerPixel <= 8 {
                let entries = colorsUsed == 0 ? 1 << bitsPerPixel : colorsUsed
                let start = 14 + headerSize
                guard entries <= 1 << bitsPerPixel, start + entries * paletteEntrySize <= dataOffset else {
                    throw call.failure("the BMP palette of \(entries) colours does not fit before the pixel data")
                }
                // Entries are B, G, R (and a reserved byte).
                palette = (0..<entries).map { e in
                    let at = start + e * paletteEntrySize
                    return [bytes[at + 2], bytes[at + 1], bytes[at]]
                }
            }
            var masks: [Int] = bitsPerPixel == 16 ? [0x7C00, 0x03E0, 0x001F] : [0xFF_0000, 0xFF00, 0xFF]
            if compression != 0 {
                // Inside a header of 52 bytes or more, else right after the
                // 40-byte one: at the same offsets.
                guard bitsPerPixel == 16 || bitsPerPixel == 32, let r = fields.u32(54), let g = fields.u32(58),
                    let b = fields.u32(62)
                else { throw call.failure("the BMP bit fields are missing or do not fit \(bitsPerPixel)-bit pixels") }
                masks = [r, g, b]
            }
            let channels = masks.map(Channel.init)
            var pixels = [UInt8](repeating: 0, count: count)
            for fileRow in 0..<height {
                let y = signedHeight < 0 ? fileRow : height - 1 - fileRow
                let row = dataOffset + fileRow * rowBytes
                for x in 0..<width {
                    let out = (y * width + x) * 3
                    switch bitsPerPixel {
                    case 24:
                        pixels[out] = bytes[row + 3 * x + 2]
                        pixels[out + 1] = bytes[row + 3 * x + 1]
                        pixels[out + 2] = bytes[row + 3 * x]
                    case 16, 32:
                        let size = bitsPerPixel / 8
                        var word = 0
                        for k in 0..<size { word |= Int(bytes[row + size * x + k]) << (8 * k) }
                        for c in 0..<3 { pixels[out + c] = channels[c].value(word) }
                    default:
                        let bit = x * bitsPerPixel
                        let index = Int(bytes[row + bit / 8] >> (8 - bitsPerPixel - bit % 8)) & (1 << bitsPerPixel - 1)
                        guard index < palette.count else {
                            throw call.failure("BMP pixel (\(x), \(y)) is colour \(index) of a palette of \(palette.count)")
                        }
                        pixels.replaceSubrange(out..<(out + 3), with: palette[index])
                    }
                }
            }
            return RGBImage(height: height, width: width, pixels: pixels)
        }

        /// One colour's bits in a 16- or 32-bit pixel, scaled to 8 bits as
        /// PIL does (value × 255 / largest value, rounded down).
        struct Channel {
            let mask: Int, shift: Int, largest: Int

            init(_ mask: Int) {
                self.mask = mask
                shift = mask == 0 ? 0 : mask.trailingZeroBitCount
                largest = mask >> shift
            }

            func value(_ word: Int) -> UInt8 {
                guard largest > 0 else { return 0 }
                return UInt8(truncatingIfNeeded: ((word & mask) >> shift) * 255 / largest)
            }
        }
    }

    /// Netpbm images: P1 and P4 bitmaps (1 is black), P2 and P5 grey, P3
    /// and P6 colour; plain (ASCII) or raw, raw samples in one byte below a
    /// largest value of 256, else two (big-endian); scaled to 8 bits as PIL
    /// scales them (rounded to nearest, ties to even; clamped at 255), but
    /// for grey of a largest value past 255, which PIL keeps as 32-bit
    /// integers.
    enum PNM {
        static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

        static func decode(_ bytes: [UInt8], _ call: KernelCall) throws(RuntimeError) -> RGBImage {
            let kind = Int(bytes[1] - UInt8(ascii: "0"))
            let bitmap = kind == 1 || kind == 4
            var position = 2
            /// The next decimal number after whitespace and comments: one
            /// digit for a plain bitmap's sample (they may run together).
            func number(_ what: String, oneDigit: Bool = false) throws(RuntimeError) -> Int {
                while position < bytes.count, isWhitespace(bytes[position]) || bytes[position] == UInt8(ascii: "#") {
                    if bytes[position] == UInt8(ascii: "#") {
                        while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
                    } else {
                        position += 1
                    }
                }
                var value = 0, digits = 0
                while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                    guard digits < 12 else { throw call.failure("the PNM \(what) has too many digits") }
                    value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
                    position += 1
                    digits += 1
                    if oneDigit { break }
                }
                guard digits > 0 else {
                    throw call.failure(
                        position < bytes.count
                            ? "the PNM \(what) is not a number (byte \(position))" : "the PNM data ends before its \(what)")
                }
                return value
            }
            let width = try number("width"), height = try number("height")
            let largest = bitmap ? 1 : try number("largest value")
            guard width > 0, height > 0 else { throw call.failure("the PNM image is \(width) x \(height) pixels") }
            guard (1...65535).contains(largest) else { throw call.failure("the PNM largest value \(largest) is outside 1...65535") }
            let count = try call.elementCount([height, width, 3])
            let colours = kind == 3 || kind == 6 ? 3 : 1
            let samples = width * height * colours
            let sample: (Int) -> Int
            if kind <= 3 {
                // Each plain sample takes a byte at least: a header that
                // claims more than the data holds fails before allocating.
                guard samples <= bytes.count - position else {
                    throw call.failure("the PNM data is truncated: \(samples) samples cannot fit in \(bytes.count - position) bytes")
                }
                var values = [Int](repeating: 0, count: samples)
                for i in 0..<samples { values[i] = try number("sample \(i)", oneDigit: bitmap) }
                sample = { values[$0] }
            } else {
                // One whitespace byte ends the header.
                guard position < bytes.count, isWhitespace(bytes[position]) else {
                    throw call.failure("the PNM header does not end in whitespace (byte \(position))")
                }
                let start = position + 1
                let sampleBytes = largest < 256 ? 1 : 2
                let rowBytes = bitmap ? (width + 7) / 8 : width * colours * sampleBytes
                guard rowBytes * height <= bytes.count - start else {
                    throw call.failure(
                        "the PNM pixel data is truncated: \(width) x \(height) needs \(rowBytes * height) bytes, \(bytes.count - start) follow the header")
                }
                if bitmap {
                    sample = { i in Int(bytes[start + i / width * rowBytes + i % width / 8] >> (7 - i % width % 8)) & 1 }
                } else if sampleBytes == 1 {
                    sample = { Int(bytes[start + $0]) }
                } else {
                    sample = { Int(bytes[start + 2 * $0]) << 8 | Int(bytes[start + 2 * $0 + 1]) }
                }
            }
            var pixels = [UInt8](repeating: 0, count: count)
            for pixel in 0..<(width * height) {
                for c in 0..<3 {
                    let value = sample(pixel * colours + (colours == 3 ? c : 0))
                    let scaled = bitmap ? (value == 0 ? 255 : 0) : (Double(value) * 255 / Double(largest)).rounded(.toNearestOrEven)
                    pixels[pixel * 3 + c] = UInt8(min(255, scaled))
                }
            }
            return RGBImage(height: height, width: width, pixels: pixels)
        }
    }
}
