#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import Synchronization

/// Makes an interrupted process leave its outputs as they were: on SIGINT,
/// SIGTERM or SIGHUP, the temporary files of outputs not yet renamed into
/// place are removed, and the process then dies of the signal as it would
/// have without the handler (same exit status for the shell).
///
/// `AtomicWriter` records each temporary file here, and every output goes
/// through it, so this is the one place signals are handled. The handlers
/// are installed when the first temporary file is about to be made (never
/// for a library user who writes nothing), and only for signals whose disposition is still the default:
/// an ignored signal (`nohup`, a background job's SIGINT) stays ignored, and
/// a program embedding Onyx keeps its own handlers.
///
/// Two steps must not be cut in half: creating a temporary file and
/// recording its name, and renaming a set of files into place. Inside
/// `deferringInterrupts` a signal is only noted; it takes effect when the
/// step is done (after the renames, the outputs are complete).
///
/// The handler can run on any thread at any moment, so it only reads memory
/// that is never freed or moved (a list of nodes that are reused, never
/// released), calls `unlink` and `raise`, which are async-signal-safe, and
/// takes no lock.
enum InterruptCleanup {
    /// One recorded path: a node of a list that only grows. `active` is 0
    /// while the node is free for reuse.
    struct Node {
        var next: UnsafeMutablePointer<Node>?
        var active: Int32
        var capacity: Int
        var path: UnsafeMutablePointer<CChar>
    }

    /// Which node holds a recorded path (for `forget`).
    struct Record {
        fileprivate let node: UnsafeMutablePointer<Node>
    }

    static let signals = [SIGINT, SIGTERM, SIGHUP]

    /// The list's first node; nodes are added at the front.
    fileprivate static let head = Atomic<UnsafeMutablePointer<Node>?>(nil)
    /// How many threads are inside `deferringInterrupts`.
    fileprivate static let deferring = Atomic<Int>(0)
    /// A signal that arrived while deferring (0: none).
    fileprivate static let pendingSignal = Atomic<Int32>(0)
    /// Serializes recording and forgetting (the handler never takes it).
    private static let lock = Mutex(())

    /// Records `path` (a temporary file made inside `deferringInterrupts`)
    /// for removal if the process is interrupted.
    static func record(_ path: String) -> Record {
        lock.withLock { _ in
            let length = path.utf8.count + 1
            var free = head.load(ordering: .acquiring)
            while let node = free, node.pointee.active != 0 || node.pointee.capacity < length {
                free = node.pointee.next
            }
            let node: UnsafeMutablePointer<Node>
            if let free {
                node = free
            } else {
                node = .allocate(capacity: 1)
                let capacity = max(length, 256)
                node.initialize(to: Node(next: nil, active: 0, capacity: capacity, path: .allocate(capacity: capacity)))
            }
            _ = path.withCString { strcpy(node.pointee.path, $0) }
            node.pointee.active = 1
            if free == nil {
                node.pointee.next = head.load(ordering: .acquiring)
                head.store(node, ordering: .releasing)
            }
            return Record(node: node)
        }
    }

    /// Stops watching a recorded path (renamed into place, or removed).
    static func forget(_ record: Record) {
        lock.withLock { _ in record.node.pointee.active = 0 }
    }

    /// Runs `body` with SIGINT, SIGTERM and SIGHUP held back: one that
    /// arrives meanwhile takes effect when the last such step on any thread
    /// is done.
    static func deferringInterrupts<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        _ = handlersInstalled
        deferring.wrappingAdd(1, ordering: .sequentiallyConsistent)
        defer {
            if deferring.wrappingSubtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
                let signal = pendingSignal.exchange(0, ordering: .sequentiallyConsistent)
                if signal != 0 { dieOf(signal) }
            }
        }
        return try body()
    }

    /// The handlers, installed on first use (once, whichever thread asks).
    private static let handlersInstalled: Void = installHandlers()

    private static func installHandlers() {
        // The handler reads these: made before it can run, since a
        // static's first use may allocate, which a handler must not do.
        _ = (head.load(ordering: .relaxed), deferring.load(ordering: .relaxed), pendingSignal.load(ordering: .relaxed))
        for signal in signals {
            var current = sigaction()
            guard sigaction(signal, nil, &current) == 0, current.handler == nil else { continue }
            var action = sigaction()
            action.handler = handleInterrupt
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signal, &action, nil)
        }
    }

    /// Removes every recorded file and raises `signal` again with its
    /// default disposition.
    fileprivate static func dieOf(_ signal: Int32) {
        var next = head.load(ordering: .acquiring)
        while let node = next {
            if node.pointee.active != 0 { unlink(node.pointee.path) }
            next = node.pointee.next
        }
        var action = sigaction()
        action.handler = nil
        sigaction(signal, &action, nil)
        raise(signal)
    }
}

private func handleInterrupt(_ signal: Int32) {
    if InterruptCleanup.deferring.load(ordering: .sequentiallyConsistent) > 0 {
        InterruptCleanup.pendingSignal.store(signal, ordering: .sequentiallyConsistent)
        return
    }
    InterruptCleanup.dieOf(signal)
}

extension sigaction {
    /// The plain handler (`sa_handler`); nil is the default disposition.
    fileprivate var handler: (@convention(c) (Int32) -> Void)? {
        get {
            #if os(Linux)
                __sigaction_handler.sa_handler
            #else
                __sigaction_u.__sa_handler
            #endif
        }
        set {
            #if os(Linux)
                __sigaction_handler.sa_handler = newValue
            #else
                __sigaction_u.__sa_handler = newValue
            #endif
        }
    }
}
