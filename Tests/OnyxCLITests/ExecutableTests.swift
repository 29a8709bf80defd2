import Foundation
import OnyxTestSupport
import Testing

/// The `onyx` executable itself: exit statuses reach the shell, errors go to
/// standard error.
@Suite struct ExecutableTests {
    /// `onyx` is built beside the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("onyx")
    }

    func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try runProcess(Self.executable, arguments)
    }

    @Test func exitStatusesReachTheShell() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build onyx first (swift build)")
        let ok = try run(["inspect", fixture("mlp.onnx")])
        #expect(ok.status == 0 && ok.out.contains("Gemm") && ok.err.isEmpty)
        let folder = TemporaryDirectory()
        try "just some notes\n".write(toFile: folder.path("notes.txt"), atomically: true, encoding: .utf8)
        let bad = try run(["inspect", folder.path("notes.txt")])
        #expect(bad.status == 2 && bad.out.isEmpty)
        #expect(bad.err.hasPrefix("onyx: \(folder.path("notes.txt")):1:1: onnx.ModelProto has no field 'just'"))
        #expect(bad.err.contains("read as protobuf text format"))
        #expect(try run(["convert", fixture("mlp.onnx")]).status == 2)
        #expect(try run(["--help"]).status == 0)
    }
}
