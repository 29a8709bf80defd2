import OnyxIR
import OnyxONNX

/// Reads `bytes` as `format` the way `onyx convert` does (`ModelCodec`),
/// writes the model again in the same format and reads that back. A reader
/// may refuse anything, with an error; but what the writer made of a model
/// it accepted must read again, or one of the two is wrong, and that stops
/// the fuzzer with a finding.
public func roundTrip(_ bytes: UnsafeRawBufferPointer, as format: ModelFormat) {
    guard let model = try? ModelCodec.decode(bytes, as: format) else { return }
    roundTrip(model, as: format)
}

/// Writes `model` in `format` and reads it back (see above).
public func roundTrip(_ model: Model, as format: ModelFormat) {
    guard let written = try? ModelCodec.encode(model, as: format) else { return }
    do {
        _ = try written.withUnsafeBytes { buffer throws(ONNXError) in try ModelCodec.decode(buffer, as: format) }
    } catch {
        fatalError("the \(format) Onyx wrote for an input it read cannot be read back: \(error)")
    }
}
