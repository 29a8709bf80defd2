#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import COnnxProto
import OnyxIR

/// Large raw_data payloads that stay in the bytes a model was decoded from,
/// found again through the markers `onyx_lift_raw_data` put in their place.
///
/// The marker's nonce is drawn afresh for every decode, so a file cannot
/// forge one: a 16-byte raw_data that is not a marker would have to guess
/// 64 random bits, and a marker's index is checked against the spans.
final class LiftedPayloads: @unchecked Sendable {
    /// Payloads below this size are copied as usual: the marker would save
    /// little, and small tensors are read often.
    static let threshold = 1024

    private var lifted: OnyxLifted
    private let nonce: UInt64
    private let base: UnsafeRawPointer
    /// Where each payload lies; owned by `lifted`.
    private let spans: UnsafeBufferPointer<OnyxLiftedSpan>
    /// Keeps `base` valid and unchanged (the mapped file).
    private let owner: AnyObject

    /// Lifts the payloads out of `bytes`; nil when there is none to lift
    /// (or the bytes are not a model the lift can follow).
    init?(_ bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        guard bytes.count > Self.threshold, let base = bytes.baseAddress else { return nil }
        let nonce = UInt64.random(in: .min ... .max)
        var result = OnyxLifted()
        let found = withUnsafeBytes(of: nonce) { nonceBytes in
            onyx_lift_raw_data(
                base.assumingMemoryBound(to: UInt8.self), bytes.count, Self.threshold,
                nonceBytes.baseAddress!.assumingMemoryBound(to: UInt8.self), &result)
        }
        guard found != 0 else { return nil }
        lifted = result
        self.nonce = nonce
        self.base = base
        self.owner = owner
        spans = UnsafeBufferPointer(start: result.spans, count: result.n_spans)
    }

    deinit { onyx_lifted_free(&lifted) }

    /// The message with markers in place of the payloads, valid until
    /// `freeRewrittenBytes`.
    var rewrittenBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: lifted.bytes, count: lifted.length) }

    /// Frees the rewritten message once it is unpacked (the spans stay).
    func freeRewrittenBytes() {
        free(lifted.bytes)
        lifted.bytes = nil
        lifted.length = 0
    }

    /// The payload `raw` marks, when it is a marker of this decode.
    func payload(markedBy raw: UnsafeRawBufferPointer) -> BorrowedStorage? {
        guard raw.count == Int(ONYX_LIFT_MARKER_SIZE),
            raw.loadUnaligned(as: UInt64.self) == nonce
        else { return nil }
        let index = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        guard index < UInt64(spans.count) else { return nil }
        let span = spans[Int(index)]
        return BorrowedStorage(
            UnsafeRawBufferPointer(start: base + Int(span.offset), count: Int(span.length)), owner: owner)
    }
}
