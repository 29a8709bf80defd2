import COnnxProto
import Synchronization

/// Owns the arena that protobuf-c decoded a message into. Tensors whose
/// `raw_data` was decoded there borrow it (`BorrowedStorage.owner`), so the
/// arena lives exactly as long as the last such tensor.
final class DecodedBuffer: @unchecked Sendable {
    let arena: OpaquePointer
    /// Raw data left in the original bytes by the lift, if there was one.
    var lifted: LiftedPayloads?
    /// The message type of a field numbered 0 seen on import: when there
    /// are several, the first by name, so that a model decoded on two
    /// threads always names the same one.
    private let fieldNumberZero = Mutex<String?>(nil)

    init() throws(ONNXError) {
        guard let arena = onyx_arena_create() else { throw ONNXError(.io, "out of memory") }
        self.arena = arena
    }

    deinit { onyx_arena_destroy(arena) }

    /// Notes a field numbered 0 in a message of type `message`.
    func noteFieldNumberZero(in message: String) {
        fieldNumberZero.withLock { noted in
            if noted.map({ message < $0 }) ?? true { noted = message }
        }
    }

    /// Refuses what protobuf-c decodes but no protobuf reader accepts: a
    /// field numbered 0, which protobuf-c lets through when its tag is
    /// written in two or more bytes, and which written back (in one byte)
    /// it refuses itself.
    func refuseInvalidFields(of what: String) throws(ONNXError) {
        guard let message = fieldNumberZero.withLock({ $0 }) else { return }
        throw ONNXError(.notAModel, "protobuf decoding failed: \(what) has a field numbered 0 in \(message), which protobuf forbids")
    }
}
