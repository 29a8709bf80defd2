/// Writes floating-point numbers as C++ `std::to_chars` does without a
/// format, which is what onnx's printer uses: the shortest digits that read
/// back to the same value, in fixed or scientific notation, whichever is
/// shorter (fixed on a tie), `nan`/`-nan`, `inf`/`-inf`.
///
/// The digits are `FloatDigits`' for floats in its range, and otherwise
/// Swift's `description`'s, which also finds the shortest round-tripping
/// digits; only the layout differs (`1.0` vs `1`, `0.0001` vs `1e-04`).
///
/// NOTE: a weight-heavy model prints millions of these, so the layout works
/// in fixed stack buffers: no `Character` walking and no allocation per
/// number.
enum ShortestDecimal {
    static func append<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumLength) { line in
            let length = write(value, to: line.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: line[..<length]))
        }
    }

    /// The most bytes `write` writes: a sign and 17 digits with a point
    /// and `e-308`, or a sign and the 22 digits of a whole number below
    /// 10²² (above it, scientific notation is the shorter).
    static var maximumLength: Int { 32 }

    /// Writes `value` at `line`, which has room for `maximumLength` bytes;
    /// returns how many it wrote.
    static func write<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, to line: UnsafeMutablePointer<UInt8>) -> Int {
        func copy(_ text: StaticString, at offset: Int) -> Int {
            text.withUTF8Buffer { (line + offset).initialize(from: $0.baseAddress!, count: $0.count) }
            return offset + text.utf8CodeUnitCount
        }
        if value.isNaN { return copy(value.sign == .minus ? "-nan" : "nan", at: 0) }
        let sign = value.sign == .minus ? 1 : 0
        if sign == 1 { line.pointee = UInt8(ascii: "-") }
        if value.isInfinite { return copy("inf", at: sign) }
        if value == 0 { return copy("0", at: sign) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: longest) { digits in
            let (start, count, exponent): (Int, Int, Int)
            if F.self == Float.self, let (significand, power) = FloatDigits.shortest(Float(value.magnitude)) {
                start = write(significand, into: digits)
                count = digits.count - start
                exponent = power + count - 1
            } else {
                var text = value.magnitude.description
                start = 0
                (count, exponent) = text.withUTF8 { decompose($0, into: digits) }
            }
            let rest = UnsafeMutableBufferPointer(start: line + sign, count: maximumLength - sign)
            let length = layOut(UnsafeBufferPointer(rebasing: digits[start..<(start + count)]), exponent: exponent, into: rest)
            // printf's %f, which to_chars follows, writes a whole number's
            // exact digits (79541493760, not the shortest 79541490000).
            return sign + (length > 0 ? length : exactInteger(value.magnitude, into: rest))
        }
    }

    /// The longest text `layOut` writes: 17 digits, a point, `e-308`.
    private static var longest: Int { 32 }

    /// The decimal digits of `value`, written at the end of `digits`;
    /// returns where they start.
    private static func write(_ value: UInt64, into digits: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var rest = value
        var index = digits.count
        repeat {
            index -= 1
            digits[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        } while rest > 0
        return index
    }

    /// The significant digits (no leading or trailing zeros) of Swift's
    /// rendering of a positive finite number (`123.5`, `1e-05`,
    /// `3.4028235e+38`), written into `digits`, with the power of ten of the
    /// first one.
    private static func decompose(_ text: UnsafeBufferPointer<UInt8>, into digits: UnsafeMutableBufferPointer<UInt8>)
        -> (count: Int, exponent: Int)
    {
        var count = 0
        var pointPosition = 0
        var seenPoint = false
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { break }
            index += 1
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else if count == 0 && byte == UInt8(ascii: "0") {
                if seenPoint { pointPosition -= 1 }
            } else if count < digits.count {
                digits[count] = byte
                count += 1
                if !seenPoint { pointPosition += 1 }
            }
        }
        var written = 0
        if index < text.count {
            index += 1
            var negative = false
            if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
                negative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            while index < text.count {
                written = written * 10 + Int(text[index] &- UInt8(ascii: "0"))
                index += 1
            }
            if negative { written = -written }
        }
        while count > 0 && digits[count - 1] == UInt8(ascii: "0") { count -= 1 }
        return (count, pointPosition - 1 + written)
    }

    /// Writes `digits`, the first of which stands for 10^`exponent`, into
    /// `line` in the shorter of the two notations and returns the length;
    /// returns 0, writing nothing, when that is fixed notation of a whole
    /// number, whose digits are then the exact ones.
    private static func layOut(_ digits: UnsafeBufferPointer<UInt8>, exponent: Int, into line: UnsafeMutableBufferPointer<UInt8>)
        -> Int
    {
        let count = digits.count
        let magnitude = abs(exponent)
        let exponentDigits = magnitude >= 100 ? 3 : 2
        let scientificLength = count + (count > 1 ? 1 : 0) + 2 + exponentDigits
        let fixedLength = exponent >= 0 ? (count <= exponent + 1 ? exponent + 1 : count + 1) : 2 + (-exponent - 1) + count
        var length = 0
        func put(_ byte: UInt8) {
            line[length] = byte
            length += 1
        }
        if fixedLength <= scientificLength {
            if exponent >= 0 {
                if count <= exponent + 1 { return 0 }
                for i in 0...exponent { put(digits[i]) }
                put(UInt8(ascii: "."))
                for i in (exponent + 1)..<count { put(digits[i]) }
            } else {
                put(UInt8(ascii: "0"))
                put(UInt8(ascii: "."))
                for _ in 0..<(-exponent - 1) { put(UInt8(ascii: "0")) }
                for i in 0..<count { put(digits[i]) }
            }
        } else {
            put(digits[0])
            if count > 1 {
                put(UInt8(ascii: "."))
                for i in 1..<count { put(digits[i]) }
            }
            put(UInt8(ascii: "e"))
            put(UInt8(ascii: exponent < 0 ? "-" : "+"))
            if exponentDigits == 3 { put(UInt8(ascii: "0") + UInt8(magnitude / 100)) }
            put(UInt8(ascii: "0") + UInt8(magnitude / 10 % 10))
            put(UInt8(ascii: "0") + UInt8(magnitude % 10))
        }
        return length
    }

    /// The exact decimal digits of a positive whole number.
    /// The exact decimal digits of a positive whole number below 10²²,
    /// written into `line`; returns how many.
    private static func exactInteger<F: BinaryFloatingPoint>(_ value: F, into line: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var text: String
        if value < F(18_446_744_073_709_551_616.0) {
            text = String(UInt64(value))
        } else {
            // value = significand × 2^shift, worked in base-10⁹ limbs.
            let significand = UInt64(value.significandBitPattern) | (1 << UInt64(F.significandBitCount))
            let shift = Int(value.exponent) - F.significandBitCount
            let base: UInt64 = 1_000_000_000
            var limbs = [significand % base, significand / base % base, significand / base / base]
            for _ in 0..<shift {
                var carry: UInt64 = 0
                for index in limbs.indices {
                    let doubled = limbs[index] * 2 + carry
                    limbs[index] = doubled % base
                    carry = doubled / base
                }
                if carry > 0 { limbs.append(carry) }
            }
            while limbs.count > 1 && limbs.last == 0 { limbs.removeLast() }
            text = String(limbs.last!)
            for limb in limbs.dropLast().reversed() {
                let digits = String(limb)
                text += String(repeating: "0", count: 9 - digits.count) + digits
            }
        }
        return text.withUTF8 { digits in
            let count = min(digits.count, line.count)
            line.baseAddress!.initialize(from: digits.baseAddress!, count: count)
            return count
        }
    }
}
