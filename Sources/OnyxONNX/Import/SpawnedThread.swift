#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR

/// Runs `body` on a thread with a large stack and waits for it.
///
/// protobuf-c unpacks nested messages recursively and has no depth limit of
/// its own, so a deeply nested file needs stack before `checkBudgets` can
/// refuse it. The stack is reserved address space: pages are only used
/// when touched. Where no such thread can be made (a tight address-space
/// limit), `body` runs on the calling thread: ordinary models need little
/// stack.
func onLargeStack<T>(_ body: @escaping () throws(ONNXError) -> T) throws(ONNXError) -> T {
    guard let thread = SpawnedThread(stackSize: largeStackSize, { Result { () throws(ONNXError) -> T in try body() } }) else {
        return try body()
    }
    return try thread.join().get()
}

/// 1 GiB: protobuf-c needs about 1 KB per nested message, so this covers
/// files nesting a million messages deep.
let largeStackSize = 1 << 30

/// A node list at least this long is built on two threads, on import (IR
/// nodes from protobuf-c's) and on export (the other way): below it, making
/// a thread costs more than half the list.
let twoThreadNodeCount = 2048

/// `first` on this thread while `second` runs on another; both on this
/// thread, one after the other, when no thread can be made.
func onTwoThreads<A, B>(_ first: () -> A, _ second: @escaping () -> B) -> (A, B) {
    guard let thread = SpawnedThread(second) else { return (first(), second()) }
    let firstResult = first()
    return (firstResult, thread.join())
}

/// `body` over `0..<count`: with `twoThreads`, the first half on this
/// thread while the second runs on another; otherwise the whole range here.
func inHalves(of count: Int, twoThreads: Bool, _ body: (Range<Int>) -> Void) {
    guard twoThreads else { return body(0..<count) }
    let middle = count / 2
    withoutActuallyEscaping(body) { body in
        _ = onTwoThreads({ body(0..<middle) }, { body(middle..<count) })
    }
}

/// `body` running on a thread of its own, for `join` to wait for and take
/// the result of. The budgets in force go with it (a thread does not
/// inherit task locals).
final class SpawnedThread<T>: @unchecked Sendable {
    private let body: () -> T
    private var result: T?
    private var thread = pthread_t()

    /// Starts `body` on a new thread with `stackSize` bytes of stack (the
    /// system's default when nil); nil when no thread can be made.
    init?(stackSize: Int? = nil, _ body: @escaping () -> T) {
        let budgets = Budgets.current
        self.body = { Budgets.$current.withValue(budgets) { body() } }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if let stackSize, pthread_attr_setstacksize(&attributes, stackSize) != 0 { return nil }
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(&thread, &attributes, { context in
            let spawned = Unmanaged<AnyObject>.fromOpaque(context!).takeRetainedValue() as! Runnable
            spawned.run()
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<SpawnedThread>.fromOpaque(context).release()
            return nil
        }
    }

    /// Waits for the thread to finish; its result.
    func join() -> T {
        pthread_join(thread, nil)
        return result!
    }
}

private protocol Runnable: AnyObject {
    func run()
}

extension SpawnedThread: Runnable {
    fileprivate func run() { result = body() }
}
