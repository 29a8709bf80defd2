#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

// The few string services the tool's reports use that the standard library
// lacks. They live here rather than coming from Foundation, whose loading
// (with ICU) was a third of the start-up of every `onyx` process.

extension StringProtocol {
    /// The text padded with spaces to `width` characters (unchanged when
    /// it is already as long).
    public func padded(to width: Int) -> String {
        let length = count
        return length >= width ? String(self) : self + String(repeating: " ", count: width - length)
    }

    /// The text without leading and trailing whitespace and newlines.
    public func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

/// `value` printed by C's `printf` conversion `format` (one `double`
/// argument, such as `%.3g`), whose rounding and exponent style the
/// reports rely on.
public func printfFormat(_ format: String, _ value: Double) -> String {
    withVaList([value]) { arguments in
        var buffer = [CChar](repeating: 0, count: 64)
        let length = Int(vsnprintf(&buffer, buffer.count, format, arguments))
        if length >= buffer.count {
            buffer = [CChar](repeating: 0, count: length + 1)
            return withVaList([value]) { again in
                _ = vsnprintf(&buffer, buffer.count, format, again)
                return String(cString: buffer)
            }
        }
        return String(cString: buffer)
    }
}
