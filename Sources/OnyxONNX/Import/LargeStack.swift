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
/// stack. The budgets in force go with it (a thread does not inherit task
/// locals).
func onLargeStack<T>(_ body: @escaping () throws(ONNXError) -> T) throws(ONNXError) -> T {
    let budgets = Budgets.current
    let job = Job<T> { () throws(ONNXError) -> T in
        try Budgets.$current.withValue(budgets) { Result { () throws(ONNXError) -> T in try body() } }.get()
    }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    var thread = pthread_t()
    let context = Unmanaged.passRetained(job).toOpaque()
    guard pthread_attr_setstacksize(&attributes, largeStackSize) == 0,
        pthread_create(&thread, &attributes, { context in
            let job = Unmanaged<AnyObject>.fromOpaque(context!).takeRetainedValue() as! Runnable
            job.run()
            return nil
        }, context) == 0
    else {
        Unmanaged<Job<T>>.fromOpaque(context).release()
        return try body()
    }
    pthread_join(thread, nil)
    return try job.result!.get()
}

private protocol Runnable: AnyObject {
    func run()
}

private final class Job<T>: Runnable, @unchecked Sendable {
    let body: () throws(ONNXError) -> T
    var result: Result<T, ONNXError>?

    init(_ body: @escaping () throws(ONNXError) -> T) { self.body = body }

    func run() { result = Result { () throws(ONNXError) -> T in try body() } }
}

/// 1 GiB: protobuf-c needs about 1 KB per nested message, so this covers
/// files nesting a million messages deep.
let largeStackSize = 1 << 30
