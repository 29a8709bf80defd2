/// Writes floating-point numbers as C++ `std::to_chars` does without a
/// format, which is what onnx's printer uses: the shortest digits that read
/// back to the same value, in fixed or scientific notation, whichever is
/// shorter (fixed on a tie), `nan`/`-nan`, `inf`/`-inf`.
///
/// Swift's `description` already finds the shortest round-tripping digits;
/// only the layout differs (`1.0` vs `1`, `0.0001` vs `1e-04`).
enum ShortestDecimal {
    static func append<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, to out: inout [UInt8]) {
        if value.isNaN {
            out.append(contentsOf: value.sign == .minus ? Array("-nan".utf8) : Array("nan".utf8))
            return
        }
        if value.sign == .minus { out.append(UInt8(ascii: "-")) }
        if value.isInfinite {
            out.append(contentsOf: "inf".utf8)
            return
        }
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        let (digits, exponent) = decompose(value.magnitude.description)
        if !layOut(digits: digits, exponent: exponent, into: &out) {
            // printf's %f, which to_chars follows, writes a whole number's
            // exact digits (79541493760, not the shortest 79541490000).
            out.append(contentsOf: exactInteger(value.magnitude).utf8)
        }
    }

    /// The exact decimal digits of a positive whole number.
    private static func exactInteger<F: BinaryFloatingPoint>(_ value: F) -> String {
        if value < F(18_446_744_073_709_551_616.0) { return String(UInt64(value)) }
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
        var text = String(limbs.last!)
        for limb in limbs.dropLast().reversed() {
            let digits = String(limb)
            text += String(repeating: "0", count: 9 - digits.count) + digits
        }
        return text
    }

    /// The significant digits (no leading or trailing zeros) and the power
    /// of ten of the first one, read from Swift's rendering of a positive
    /// finite number (`123.5`, `1e-05`, `3.4028235e+38`).
    private static func decompose(_ text: String) -> (digits: [UInt8], exponent: Int) {
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits: [UInt8] = []
        var pointPosition = 0
        var seenPoint = false
        for byte in mantissa.utf8 {
            if byte == UInt8(ascii: ".") {
                seenPoint = true
                continue
            }
            if digits.isEmpty && byte == UInt8(ascii: "0") {
                if seenPoint { pointPosition -= 1 }
                continue
            }
            digits.append(byte)
            if !seenPoint { pointPosition += 1 }
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, pointPosition - 1 + exponent)
    }

    /// Writes the shorter of the two notations; returns false, writing
    /// nothing, when that is fixed notation of a whole number, whose digits
    /// are then the exact ones.
    private static func layOut(digits: [UInt8], exponent: Int, into out: inout [UInt8]) -> Bool {
        let count = digits.count
        let exponentDigits = max(2, String(abs(exponent)).count)
        let scientificLength = count + (count > 1 ? 1 : 0) + 2 + exponentDigits
        let fixedLength: Int
        if exponent >= 0 {
            fixedLength = count <= exponent + 1 ? exponent + 1 : count + 1
        } else {
            fixedLength = 2 + (-exponent - 1) + count
        }
        if fixedLength <= scientificLength {
            if exponent >= 0 {
                if count <= exponent + 1 {
                    return false
                } else {
                    out.append(contentsOf: digits[0...exponent])
                    out.append(UInt8(ascii: "."))
                    out.append(contentsOf: digits[(exponent + 1)...])
                }
            } else {
                out.append(contentsOf: "0.".utf8)
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -exponent - 1))
                out.append(contentsOf: digits)
            }
        } else {
            out.append(digits[0])
            if count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            out.append(UInt8(ascii: exponent < 0 ? "-" : "+"))
            let magnitude = String(abs(exponent))
            if magnitude.count < 2 { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: magnitude.utf8)
        }
        return true
    }
}
