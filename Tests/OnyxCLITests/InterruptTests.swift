import Foundation
import OnyxIR
import OnyxONNX
import OnyxTestSupport
import Testing

/// An interrupted command loses nothing: SIGINT or SIGTERM while the real
/// `onyx` is writing leaves every target as it was, with no temporary file
/// behind, and the process still dies of the signal (what the shell sees).
@Suite(.serialized) struct InterruptTests {
    let folder = TemporaryDirectory()

    /// A model of two raw tensors: `big` (24 MiB) and `small` (12 MiB), so
    /// that a text output takes the command seconds to encode.
    func bigModel() throws -> String {
        func tensor(_ name: String, bytes count: Int) -> Value {
            var tensor = Tensor(name: name, dataType: .uint8, dims: [Int64(count)])
            tensor.storage = .raw(OwnedStorage(count: count) { bytes in
                for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 7) }
            })
            let value = Value(name: name)
            value.initializer = tensor
            return value
        }
        let graph = Graph(name: "big")
        for value in [tensor("big", bytes: 24 << 20), tensor("small", bytes: 12 << 20)] {
            graph.appendInitializer(value)
            graph.appendOutput(value)
        }
        let model = Model(graph: graph)
        model.irVersion = 10
        let path = folder.path("big.onnx")
        try ModelFile.save(model, to: path)
        return path
    }

    /// The temporary files of unfinished outputs in the folder.
    var temporaryFiles: [String] { folder.contents.filter { $0.hasPrefix(".onyx-") } }

    /// How a process ended: the exit status, or the signal that ended it.
    enum Ending: Equatable {
        case exited(Int32)
        case signaled(Int32)

        init(_ status: Int32) {
            self = status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
        }
    }

    /// Starts `onyx arguments` with SIGINT and SIGTERM at their default
    /// disposition (a test runner may run tests with them ignored, which a
    /// child inherits, and `onyx` rightly leaves an ignored signal ignored),
    /// waits until `temporaries` temporary files are in the folder (it is
    /// writing), sends `signal`, and says how the process ended.
    func interrupt(_ arguments: [String], signal: Int32, once temporaries: Int) throws -> Ending {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), unblocked = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigemptyset(&unblocked)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var files = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&files)
        defer { posix_spawn_file_actions_destroy(&files) }
        posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&files, 2, "/dev/null", O_WRONLY, 0)
        let executable = ExecutableTests.executable.path
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        try #require(posix_spawn(&pid, executable, &files, &attributes, argv, environ) == 0)

        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(120)
        while temporaryFiles.count < temporaries && Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                Issue.record("onyx ended (\(Ending(status))) before it could be interrupted")
                return Ending(status)
            }
            usleep(1000)
        }
        try #require(temporaryFiles.count == temporaries, "onyx never started writing")
        kill(pid, signal)
        waitpid(pid, &status, 0)
        return Ending(status)
    }

    func bytes(_ name: String) -> Data? { FileManager.default.contents(atPath: folder.path(name)) }

    @Test func anInterruptedConvertLeavesTheTargetAsItWas() throws {
        let model = try bigModel()
        let old = Data("an older copy\n".utf8)
        try old.write(to: folder.url.appendingPathComponent("big.json"))
        #expect(try interrupt(["convert", model, folder.path("big.json")], signal: SIGINT, once: 1) == .signaled(SIGINT))
        #expect(temporaryFiles.isEmpty)
        #expect(bytes("big.json") == old)
        #expect(folder.contents == ["big.json", "big.onnx"])
    }

    /// The data file is complete in its temporary file and the model is
    /// being encoded: neither the old data file nor the old model changes.
    @Test func anInterruptedConvertWithExternalDataLeavesBothFilesAsTheyWere() throws {
        let model = try bigModel()
        let oldModel = Data("model\n".utf8), oldData = Data("data\n".utf8)
        try oldModel.write(to: folder.url.appendingPathComponent("out.textproto"))
        try oldData.write(to: folder.url.appendingPathComponent("out.bin"))
        let ending = try interrupt(
            ["convert", model, folder.path("out.textproto"), "--external-data", "out.bin", "--size-threshold", "\(16 << 20)"],
            signal: SIGTERM, once: 2)
        #expect(ending == .signaled(SIGTERM))
        #expect(temporaryFiles.isEmpty)
        #expect(bytes("out.textproto") == oldModel && bytes("out.bin") == oldData)
        #expect(folder.contents == ["big.onnx", "out.bin", "out.textproto"])
    }

    @Test func anInterruptedInferWritesNothing() throws {
        let model = try bigModel()
        #expect(try interrupt(["infer", model, "-o", folder.path("inferred.json")], signal: SIGTERM, once: 1) == .signaled(SIGTERM))
        #expect(folder.contents == ["big.onnx"])
    }

    /// Without a signal the same commands write their outputs (so the
    /// tests above stopped a command that would have succeeded).
    @Test func uninterruptedTheCommandsWriteTheirOutputs() throws {
        let model = try bigModel()
        #expect(
            onyx("convert", model, folder.path("out.textproto"), "--external-data", "out.bin", "--size-threshold", "\(16 << 20)")
                .status == 0)
        #expect(folder.contents == ["big.onnx", "out.bin", "out.textproto"])
        let data = try #require(bytes("out.bin"))
        #expect(data.count == 24 << 20 && data[7] == 49)
    }
}
