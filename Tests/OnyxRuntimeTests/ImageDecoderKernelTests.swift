import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// ImageDecoder on images written here byte by byte (a PNG with stored
/// deflate blocks, BMPs, PNMs), whose pixels are known; truncated, corrupt
/// and oversized files refused with the node named.
@Suite struct ImageDecoderKernelTests {
    private func decode(_ bytes: [UInt8], _ pixelFormat: String = "RGB") throws -> DenseTensor {
        let model = try TestModels.graph(
            """
            g (uint8[N] data) => (uint8[H, W, C] image) {
                [decoder] image = ImageDecoder <pixel_format = "\(pixelFormat)"> (data)
            }
            """, opset: 20)
        let outputs = try ModelRunner(model).run(["data": DenseTensor(shape: [bytes.count], elements: .uint8(bytes))])
        return try #require(outputs.first?.tensor)
    }

    private func pixels(_ tensor: DenseTensor) -> [UInt8] {
        if case .uint8(let v) = tensor.elements { return v }
        return []
    }

    /// The failure for `bytes`, which must name the node and say `reason`.
    private func refusal(_ bytes: [UInt8], _ reason: String) {
        let error = #expect(throws: RuntimeError.self) { _ = try decode(bytes) }
        let text = error?.description ?? ""
        #expect(text.contains("decoder") && text.contains(reason), "\(text)")
    }

    // Red, green / blue, (10, 20, 30): rows from the top.
    private let rgb: [[UInt8]] = [[255, 0, 0, 0, 255, 0], [0, 0, 255, 10, 20, 30]]

    // MARK: PNG (libpng)

    @Test func pngInEveryPixelFormat() throws {
        let file = TinyPNG.encode(width: 2, height: 2, colourType: 2, rows: rgb)
        let decoded = try decode(file)
        #expect(decoded.shape == [2, 2, 3])
        #expect(pixels(decoded) == rgb.flatMap { $0 })
        #expect(pixels(try decode(file, "BGR")) == [0, 0, 255, 0, 255, 0, 255, 0, 0, 30, 20, 10])
        // PIL's luma: (19595 R + 38470 G + 7471 B + 2^15) >> 16.
        let grey = try decode(file, "Grayscale")
        #expect(grey.shape == [2, 2, 1])
        #expect(pixels(grey) == [76, 150, 29, 18])
    }

    @Test func greyPngSpreadsToRgbAndStaysGrey() throws {
        let file = TinyPNG.encode(width: 3, height: 1, colourType: 0, rows: [[0, 128, 255]])
        #expect(pixels(try decode(file)) == [0, 0, 0, 128, 128, 128, 255, 255, 255])
        #expect(pixels(try decode(file, "Grayscale")) == [0, 128, 255])
    }

    @Test func truncatedOrCorruptPngIsRefused() throws {
        let file = TinyPNG.encode(width: 2, height: 2, colourType: 2, rows: rgb)
        refusal(Array(file.prefix(40)), "PNG")
        // One pixel byte changed: IDAT's checksum no longer holds.
        var corrupt = file
        corrupt[45] ^= 0xFF
        refusal(corrupt, "PNG")
    }

    // MARK: BMP (parsed here)

    /// A BMP with a 40-byte info header: `pixelData` rows as stored (each
    /// padded to four bytes), `palette` as B, G, R, 0 entries.
    private func bmp(width: Int32, height: Int32, bits: UInt16, palette: [UInt8] = [], pixelData: [UInt8]) -> [UInt8] {
        let offset = UInt32(54 + palette.count)
        var file = Array("BM".utf8) + le32(offset + UInt32(pixelData.count)) + le32(0) + le32(offset)
        file += le32(40) + le32(UInt32(bitPattern: width)) + le32(UInt32(bitPattern: height)) + le16(1) + le16(bits)
        file += le32(0) + le32(UInt32(pixelData.count)) + le32(2835) + le32(2835)
        file += le32(UInt32(palette.count / 4)) + le32(0)
        return file + palette + pixelData
    }

    @Test func bottomUpBmpOf24Bits() throws {
        // The bottom row first, pixels as B, G, R, rows padded to 8 bytes.
        let file = bmp(width: 2, height: 2, bits: 24, pixelData: [255, 0, 0, 30, 20, 10, 0, 0, 0, 0, 255, 0, 255, 0, 0, 0])
        #expect(pixels(try decode(file)) == rgb.flatMap { $0 })
    }

    @Test func topDownBmpThroughAPalette() throws {
        // 4 bits a pixel, rows from the top (negative height), palette of two.
        let palette: [UInt8] = [30, 20, 10, 0, 0, 0, 255, 0]
        let file = bmp(width: 3, height: -1, bits: 4, palette: palette, pixelData: [0x10, 0x10, 0, 0])
        #expect(pixels(try decode(file)) == [255, 0, 0, 10, 20, 30, 255, 0, 0])
        // Colour 2 of a palette of two.
        refusal(bmp(width: 1, height: 1, bits: 4, palette: palette, pixelData: [0x20, 0, 0, 0]), "palette")
    }

    @Test func bmpClaimsAreCheckedAgainstTheData() throws {
        // 1000 x 1000 pixels claimed, four bytes given.
        refusal(bmp(width: 1000, height: 1000, bits: 24, pixelData: [0, 0, 0, 0]), "truncated")
        // Past the runtime's budget: refused before any allocation.
        refusal(bmp(width: 1 << 30, height: 1 << 30, bits: 24, pixelData: []), "elements")
        refusal(Array("BM".utf8) + [0, 0, 0], "truncated")
    }

    // MARK: PNM (parsed here)

    @Test func rawAndPlainPnm() throws {
        let raw = Array("P6\n# a comment\n2 2\n255\n".utf8) + rgb.flatMap { $0 }
        #expect(pixels(try decode(raw)) == rgb.flatMap { $0 })
        let plain = Array("P3 2 2 255\n255 0 0  0 255 0\n0 0 255  10 20 30\n".utf8)
        #expect(pixels(try decode(plain)) == rgb.flatMap { $0 })
        // Grey of largest value 15, scaled to 255: 0, 8 · 255 / 15 = 136, 255.
        let grey = Array("P5 3 1 15\n".utf8) + [0, 8, 15]
        #expect(pixels(try decode(grey, "Grayscale")) == [0, 136, 255])
        // Bitmaps: 1 is black; plain digits may run together.
        #expect(pixels(try decode(Array("P1 3 1\n101".utf8), "Grayscale")) == [0, 255, 0])
        #expect(pixels(try decode(Array("P4 3 1\n".utf8) + [0b0100_0000], "Grayscale")) == [255, 0, 255])
        // 16-bit samples (largest value past 255), big-endian.
        let wide = Array("P5 1 1 65535\n".utf8) + [0x80, 0x00]
        #expect(pixels(try decode(wide, "Grayscale")) == [128])
    }

    @Test func pnmClaimsAreCheckedAgainstTheData() throws {
        refusal(Array("P6 1000 1000 255\n".utf8) + [1, 2, 3], "truncated")
        refusal(Array("P6 100000 100000 255\n".utf8), "elements")
        refusal(Array("P3 2 2 255\n1 2 3".utf8), "truncated")
        refusal(Array("P6 2 x\n".utf8), "height")
        refusal(Array("P2 1 1 0\n0".utf8), "largest value")
    }

    // MARK: Other formats and attributes

    @Test func truncatedLibraryFormatsAreRefused() throws {
        // The first bytes of a JFIF JPEG, a WebP, a TIFF and a JP2 file.
        refusal([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46], "JPEG")
        refusal(Array("RIFF".utf8) + le32(100) + Array("WEBPVP8 ".utf8), "WebP")
        refusal(Array("II*\0".utf8) + le32(8), "TIFF")
        refusal([0, 0, 0, 12, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A, 0, 0], "JPEG 2000")
    }

    @Test func unknownDataAndBadAttributesAreRefused() throws {
        refusal(Array("GIF89a".utf8), "no BMP")
        refusal([], "none")
        let file = TinyPNG.encode(width: 1, height: 1, colourType: 0, rows: [[7]])
        #expect(throws: RuntimeError.self) { _ = try decode(file, "CMYK") }
    }

    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}

/// PNG files written by hand: one IDAT of stored (uncompressed) deflate
/// blocks, every row with filter 0, 8-bit samples.
enum TinyPNG {
    static func encode(width: UInt32, height: UInt32, colourType: UInt8, rows: [[UInt8]]) -> [UInt8] {
        let raw = rows.flatMap { row -> [UInt8] in [0] + row }
        let length = UInt16(raw.count)
        // zlib header (deflate, no dictionary), one final stored block, Adler-32.
        var zlib: [UInt8] = [0x78, 0x01, 0x01]
        zlib += le16(length) + le16(~length)
        zlib += raw + be32(adler32(raw))
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", be32(width) + be32(height) + [8, colourType, 0, 0, 0])
        file += chunk("IDAT", zlib)
        file += chunk("IEND", [])
        return file
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    static func be32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }
    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
}
