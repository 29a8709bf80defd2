/// Bytes that hold a tensor's elements.
///
/// The only protocol in the core: storage may be owned memory, memory
/// borrowed from a decoded file (kept alive by `owner`), or a mapped external
/// data file. The bytes stay valid and unchanged for the storage's lifetime.
public protocol TensorStorage: AnyObject, Sendable {
    var bytes: UnsafeRawBufferPointer { get }
}

extension TensorStorage {
    public var count: Int { bytes.count }

    /// A copy of the bytes as an array.
    public var array: [UInt8] { Array(bytes) }
}

/// Heap memory owned by the storage itself.
public final class OwnedStorage: TensorStorage, @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer

    /// Allocates `count` bytes and lets `fill` write them.
    public init(count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        let used = UnsafeMutableRawBufferPointer(rebasing: memory[0..<count])
        do { try fill(used) } catch {
            memory.deallocate()
            throw error
        }
        bytes = UnsafeRawBufferPointer(used)
    }

    /// Copies `source`.
    public convenience init(copying source: UnsafeRawBufferPointer) {
        self.init(count: source.count) { $0.copyMemory(from: source) }
    }

    /// Copies `array`.
    public convenience init(_ array: [UInt8]) {
        self.init(count: array.count) { target in array.withUnsafeBytes { target.copyMemory(from: $0) } }
    }

    deinit { UnsafeMutableRawPointer(mutating: bytes.baseAddress!).deallocate() }
}

/// Memory that belongs to something else (a decoded message arena, a mapped
/// file); `owner` keeps it alive.
public final class BorrowedStorage: TensorStorage, @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    public let owner: AnyObject

    public init(_ bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        self.bytes = bytes
        self.owner = owner
    }
}
