import COnnxProto

/// Owns the arena that protobuf-c decoded a message into. Tensors whose
/// `raw_data` was decoded there borrow it (`BorrowedStorage.owner`), so the
/// arena lives exactly as long as the last such tensor.
final class DecodedBuffer: @unchecked Sendable {
    let arena: OpaquePointer
    /// Raw data left in the original bytes by the lift, if there was one.
    var lifted: LiftedPayloads?

    init() throws(ONNXError) {
        guard let arena = onyx_arena_create() else { throw ONNXError(.io, "out of memory") }
        self.arena = arena
    }

    deinit { onyx_arena_destroy(arena) }
}
