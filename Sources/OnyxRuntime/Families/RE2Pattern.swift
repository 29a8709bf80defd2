import CRE2
import OnyxIR

/// A RegexFullMatch pattern compiled by RE2 (`onyx_re2.h`): the syntax the
/// spec names, refused or matched by RE2 itself, in time linear in the text.
/// Compiled once per node and plan (`KernelCall.memoized`).
final class RE2Pattern {
    private let compiled: OpaquePointer

    /// `pattern` (UTF-8) compiled; a refusal names the node and gives RE2's
    /// reason.
    init(_ pattern: [UInt8], _ call: KernelCall) throws(RuntimeError) {
        var error = [CChar](repeating: 0, count: 256)
        let made = pattern.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { onyx_re2_compile($0.baseAddress, $0.count, &error, error.count) }
        }
        guard let made else {
            let reason = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw call.failure("pattern '\(String(decoding: pattern, as: UTF8.self))' is refused by RE2: \(reason)")
        }
        compiled = made
    }

    deinit { onyx_re2_free(compiled) }

    /// Whether the whole of `text` (UTF-8 bytes) matches.
    func matchesWhole(_ text: [UInt8]) -> Bool {
        text.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { onyx_re2_full_match(compiled, $0.baseAddress, $0.count) != 0 }
        }
    }
}
