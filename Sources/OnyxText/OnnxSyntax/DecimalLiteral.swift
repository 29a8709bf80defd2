/// Reads a plain decimal literal (`-`? digits, one `.`, an exponent) straight
/// from the bytes to a float or double, when that can be done exactly the
/// fast way; the caller reads every other literal through the standard
/// library's correctly rounded (and much slower) parser.
///
/// The fast way is Clinger's: a significand below 2⁵³ and a power of ten
/// up to 10²² are both exact doubles, so one multiplication or division
/// rounds the literal's value correctly to a double. A float is that double
/// rounded again, which is the correctly rounded float unless the double
/// landed exactly halfway between two floats; then the literal is left to
/// the slow parser.
///
/// NOTE: the tensor elements of a weight-heavy text are millions of such
/// literals, and glibc's `strtof` behind `Float(String)` took more time than
/// all the rest of reading the text.
enum DecimalLiteral {
    /// The value of the literal at `start` and where it ends, or nil when
    /// it is not a plain decimal (a word such as `nan`, no digits, an
    /// exponent without digits) or is beyond the fast way.
    static func read<F: BinaryFloatingPoint>(_ text: UnsafeBufferPointer<UInt8>, at start: Int) -> (value: F, end: Int)? {
        var index = start
        let negative = index < text.count && text[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var significand: UInt64 = 0
        var digits = 0  // significant digits in `significand`
        var scale = 0  // the power of ten the digits are to be multiplied by
        var seenPoint = false
        var seenDigit = false
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                if seenPoint { break }
                guard seenDigit else { return nil }
                seenPoint = true
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                seenDigit = true
                if significand != 0 || byte != UInt8(ascii: "0") {
                    guard digits < 19 else { return nil }
                    significand = significand * 10 + UInt64(byte &- UInt8(ascii: "0"))
                    digits += 1
                }
                if seenPoint { scale -= 1 }
            } else {
                break
            }
            index += 1
        }
        guard seenDigit else { return nil }
        if index < text.count, text[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < text.count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
                exponentNegative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponent = 0
            var exponentDigits = 0
            while index < text.count, text[index] >= UInt8(ascii: "0") && text[index] <= UInt8(ascii: "9") {
                guard exponent < 10_000 else { return nil }
                exponent = exponent * 10 + Int(text[index] &- UInt8(ascii: "0"))
                exponentDigits += 1
                index += 1
            }
            guard exponentDigits > 0 else { return nil }
            scale += exponentNegative ? -exponent : exponent
        }
        guard let magnitude: F = exact(significand, scale) else { return nil }
        return (negative ? -magnitude : magnitude, index)
    }

    /// Powers of ten that are exact doubles.
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { power, _ in power * 10 }
    }

    /// `significand × 10^scale`, correctly rounded to F, or nil beyond the
    /// fast way.
    private static func exact<F: BinaryFloatingPoint>(_ significand: UInt64, _ scale: Int) -> F? {
        if significand == 0 { return 0 }
        guard significand < 1 << 53, scale >= -22, scale <= 22 else { return nil }
        let value = scale < 0 ? Double(significand) / powersOfTen[-scale] : Double(significand) * powersOfTen[scale]
        if F.significandBitCount >= Double.significandBitCount { return F(value) }
        // Narrower than a double: refuse a double halfway between two of F's
        // values (F(value) would break the tie, not the literal), and values
        // outside F's normal range, where F's spacing is not what the
        // significand width says.
        guard value >= Double(F.leastNormalMagnitude), value <= Double(F.greatestFiniteMagnitude) else { return nil }
        let dropped = UInt64(Double.significandBitCount - F.significandBitCount)
        let low = value.bitPattern & ((1 << dropped) - 1)
        guard low != 1 << (dropped - 1) else { return nil }
        return F(value)
    }
}
