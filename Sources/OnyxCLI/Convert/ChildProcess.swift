#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// What a finished child process left: its exit status and everything it
/// wrote.
public struct ChildResult {
    /// The exit code, or 128 + the signal that ended it.
    public var status: Int32
    public var output: [UInt8]
    public var errors: [UInt8]
}

/// Runs the program at `path` with `input` on its standard input and
/// collects its output and errors, in one thread.
///
/// Why not Foundation's `Process` or swift-subprocess: the first loads
/// Foundation (and ICU) into every `onyx` process, a third of its start-up;
/// swift-subprocess 1.0.2 traps ("FileDescriptor … was not closed") when
/// the child exits before reading all its input, which is what `dot` does
/// with a name it refuses. Here standard input is one end of a socket pair,
/// so a write to a child that went away fails with EPIPE
/// (`MSG_NOSIGNAL`) instead of raising SIGPIPE, and a poll loop feeds the
/// input while draining both outputs, so no pipe can fill up and deadlock.
public func runChild(_ path: String, arguments: [String], input: [UInt8]) throws(CommandFailure) -> ChildResult {
    // Socket pairs rather than pipes: made close-on-exec in one call
    // (pipe2 is not visible to Swift), and writable without SIGPIPE.
    var inputPair: [Int32] = [-1, -1], outputPair: [Int32] = [-1, -1], errorPair: [Int32] = [-1, -1]
    defer { for fd in inputPair + outputPair + errorPair where fd >= 0 { close(fd) } }
    let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    guard socketpair(AF_UNIX, type, 0, &inputPair) == 0, socketpair(AF_UNIX, type, 0, &outputPair) == 0,
        socketpair(AF_UNIX, type, 0, &errorPair) == 0
    else {
        throw CommandFailure("cannot run \(path): \(String(cString: strerror(errno)))")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, inputPair[1], STDIN_FILENO)
    posix_spawn_file_actions_adddup2(&actions, outputPair[1], STDOUT_FILENO)
    posix_spawn_file_actions_adddup2(&actions, errorPair[1], STDERR_FILENO)
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for argument in argv { free(argument) } }
    var child = pid_t()
    let spawned = posix_spawn(&child, path, &actions, nil, argv, environ)
    guard spawned == 0 else { throw CommandFailure("cannot run \(path): \(String(cString: strerror(spawned)))") }
    // The child holds its own copies of these ends; closing ours lets its
    // exit end our reads.
    for fd in [inputPair[1], outputPair[1], errorPair[1]] { close(fd) }
    (inputPair[1], outputPair[1], errorPair[1]) = (-1, -1, -1)
    var result = ChildResult(status: 0, output: [], errors: [])
    exchange(input: input, writer: &inputPair[0], output: outputPair[0], errors: errorPair[0], into: &result)
    var status: Int32 = 0
    while waitpid(child, &status, 0) < 0 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
    result.status = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return result
}

/// Feeds `input` through `writer` (closing it when done or refused) while
/// reading `output` and `errors` to their ends.
private func exchange(input: [UInt8], writer: inout Int32, output: Int32, errors: Int32, into result: inout ChildResult) {
    var written = 0
    if input.isEmpty { close(writer); writer = -1 }
    var open: [Int32] = [output, errors]
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while !open.isEmpty {
        var polled = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        if writer >= 0 { polled.append(pollfd(fd: writer, events: Int16(POLLOUT), revents: 0)) }
        guard poll(&polled, nfds_t(polled.count), -1) >= 0 else {
            if errno == EINTR { continue }
            return
        }
        for entry in polled where entry.revents != 0 {
            if entry.fd == writer {
                let sent = input.withUnsafeBytes { raw in
                    send(writer, raw.baseAddress! + written, raw.count - written, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
                if sent > 0 { written += sent }
                if written == input.count || (sent < 0 && errno != EAGAIN && errno != EINTR) {
                    close(writer)
                    writer = -1
                }
                continue
            }
            let count = chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                open.removeAll { $0 == entry.fd }
                continue
            }
            if entry.fd == output { result.output += chunk[..<count] } else { result.errors += chunk[..<count] }
        }
    }
    if writer >= 0 { close(writer); writer = -1 }
}
