import Foundation
import OnyxCLI
import OnyxConformanceSupport
import OnyxONNX
import OnyxRuntime
import OnyxTestSupport
import Testing

/// `onyx run` and `onyx conformance` as a user calls them.
@Suite struct RunCommandTests {
    let folder = TemporaryDirectory()

    init() throws { try #require(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)") }

    private var add: String { ConformanceData.directory.appendingPathComponent("node/test_add").path }

    @Test func runsOnATestDataSetAndWritesWhatTheSuiteExpects() throws {
        let result = onyx("run", add + "/model.onnx", "--inputs", add + "/test_data_set_0", "--output-dir", folder.path("out"), "--npy")
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.hasPrefix("sum: FLOAT[3,4,5] min "))
        let written = try DenseTensor(try TensorCodec.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: folder.path("out/sum.pb"))))))
        let expected = try DenseTensor(try TensorCodec.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: add + "/test_data_set_0/output_0.pb")))))
        #expect(OutputComparison.difference(written, expected) == nil)
        // The .npy beside it reads back as the same tensor.
        let again = onyx("run", add + "/model.onnx", "--input", "x=" + folder.path("out/sum.npy"), "--input", "y=" + folder.path("out/sum.npy"), "--json")
        #expect(again.status == 0, "\(again.err)")
        #expect(again.out.contains("\"schemaVersion\" : 1"))
    }

    @Test func literalsRandomInputsAndTheirErrors() {
        let model = fixture("mlp.onnx")
        let random = onyx("run", model, "--random-inputs", "--seed", "7")
        let unbound = random.err.contains("--dim NAME=VALUE")
        #expect(random.status == 0 || unbound, "\(random.err)")
        let wrongRank = onyx("run", add + "/model.onnx", "--input", "x=[[1,2]]", "--input", "y=[[3,4]]")
        #expect(wrongRank.status == 2)
        #expect(wrongRank.err.contains("input 'x' is declared with rank 3 but is given shape [1, 2]"))
        let missing = onyx("run", add + "/model.onnx", "--input", "x=[1]")
        #expect(missing.status == 2)
        let ragged = onyx("run", add + "/model.onnx", "--input", "x=[[1,2],[3]]")
        #expect(ragged.err.contains("rows of different lengths"), "\(ragged.err)")
        let stray = onyx("run", add + "/model.onnx", "--input", "z=[1]")
        #expect(stray.err.contains("has no input 'z'"))
    }

    /// A sequence output is written as the SequenceProto the suite holds,
    /// byte for byte; sequences come in as JSON too; and an output never
    /// replaces a file the run read.
    @Test func sequencesInAndOutAndInputsAreNeverOverwritten() throws {
        let test = ConformanceData.directory.appendingPathComponent("node/test_sequence_insert_at_back").path
        let out = folder.path("seq")
        let result = onyx("run", test + "/model.onnx", "--inputs", test + "/test_data_set_0", "--output-dir", out)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.hasPrefix("output_sequence: seq(tensor(INT64)) of 4\n  [0]: INT64[4] min 1 max 4"), "\(result.out)")
        let written = try Data(contentsOf: URL(fileURLWithPath: out + "/output_sequence.pb"))
        #expect(written == (try Data(contentsOf: URL(fileURLWithPath: test + "/test_data_set_0/output_0.pb"))))

        let literal = onyx(
            "run", test + "/model.onnx", "--input", "sequence=[[1,2],[3]]", "--input", "tensor=[7,8,9]", "--json")
        #expect(literal.status == 0, "\(literal.err)")
        #expect(literal.out.contains("\"kind\" : \"sequence\""))
        #expect(literal.out.contains("\"count\" : 3"))

        // The run reads out/output_sequence.pb and would write the same path.
        let again = onyx(
            "run", test + "/model.onnx", "--input", "sequence=" + out + "/output_sequence.pb", "--input", "tensor=[7,8,9]",
            "--output-dir", out)
        #expect(again.status == 2)
        #expect(again.err.contains("output_sequence.pb"), "\(again.err)")
        #expect((try Data(contentsOf: URL(fileURLWithPath: out + "/output_sequence.pb"))) == written)
    }

    /// Strings come in as JSON string literals; a numeric op refuses them,
    /// naming the node.
    @Test func stringLiteralsAndANumericOpThatRefusesThem() throws {
        let model = folder.path("strings.onnxtxt")
        try """
            <ir_version: 8, opset_import: ["" : 17]>
            g (string[2] a) => (string[2] same, float[2] number) { same = Identity (a)  number = Relu (a) }
            """.write(toFile: model, atomically: true, encoding: .utf8)
        let result = onyx("run", model, "--input", #"a=["x", "say \"hi\""]"#, "--json")
        #expect(result.status == 2)
        #expect(result.err.contains("node 1 (Relu): Relu does not take STRING"), "\(result.err)")
        let numbers = onyx("run", model, "--input", "a=[1, 2]")
        #expect(numbers.status == 2)
        #expect(numbers.err.contains("a string input takes"), "\(numbers.err)")
    }

    /// A listed test whose model draws unseeded random numbers may pass
    /// by chance; that does not fail the run as a stale list would.
    @Test func aListedRandomTestThatPassesIsNotAStaleEntry() throws {
        let test = folder.path("random/test_draw")
        try FileManager.default.createDirectory(atPath: test + "/test_data_set_0", withIntermediateDirectories: true)
        let text = folder.path("draw.onnxtxt")
        // low = high: a "random" draw that always gives 0.5.
        try """
            <ir_version: 8, opset_import: ["" : 17]>
            g () => (float[2] y) { y = RandomUniform <low = 0.5, high = 0.5, shape = [2]> () }
            """.write(toFile: text, atomically: true, encoding: .utf8)
        #expect(onyx("convert", text, test + "/model.onnx").status == 0)
        #expect(onyx("run", test + "/model.onnx", "--output-dir", folder.path("drawn")).status == 0)
        try FileManager.default.copyItem(atPath: folder.path("drawn/y.pb"), toPath: test + "/test_data_set_0/output_0.pb")
        #expect(ConformanceRunner.drawsUnseededRandomNumbers(test))
        let list = folder.path("random.txt")
        try "test_draw  draws unseeded random numbers\n".write(toFile: list, atomically: true, encoding: .utf8)
        let result = onyx("conformance", folder.path("random"), "--known-failures", list)
        #expect(result.status == 0, "\(result.out)")
        #expect(!result.out.contains("take it off the list"))
    }

    @Test func repeatPrintsLatencyAndProfileNamesOps() {
        let result = onyx("run", add + "/model.onnx", "--inputs", add + "/test_data_set_0", "--repeat", "3", "--profile", "--threads", "1")
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("latency over 3 runs: median "))
        // The three repeated runs, not the first: one Add node, its mean time.
        #expect(result.out.contains("time per op type, per run (mean of 3 runs):\n  Add "), "\(result.out)")
        #expect(result.out.contains(" ms  1 node\n"), "\(result.out)")
        let once = onyx("run", add + "/model.onnx", "--inputs", add + "/test_data_set_0", "--profile")
        #expect(once.out.contains("time per op type:\n  Add "), "\(once.out)")
    }

    @Test func conformanceCountsAndKeepsTheKnownFailureListTrue() throws {
        let node = ConformanceData.directory.appendingPathComponent("node").path
        let result = onyx("conformance", node, "--filter", "test_add")
        #expect(result.out.hasSuffix(" failed, 0 skipped\n"), "\(result.out)")
        #expect(result.out.contains("passed"))
        // A listed test that passes makes the run fail, so the list stays true.
        let list = folder.path("known.txt")
        try "# reason after the name\ntest_add  listed on purpose\n".write(toFile: list, atomically: true, encoding: .utf8)
        let listed = onyx("conformance", node + "/test_add", "--known-failures", list)
        #expect(listed.status == 1)
        #expect(listed.out.contains("PASS test_add: listed as a known failure; take it off the list"))
        let json = onyx("conformance", node + "/test_add", "--json")
        #expect(json.status == 0)
        #expect(json.out.contains("\"result\" : \"passed\""))
        #expect(onyx("conformance", folder.path("nothing-here")).status == 2)
    }

    @Test func aTestListedAsMayPassPassesOrFailsWithoutFailingTheRun() throws {
        let node = ConformanceData.directory.appendingPathComponent("node").path
        let list = folder.path("may-pass.txt")
        try "? test_add  its verdict depends on the machine\n".write(toFile: list, atomically: true, encoding: .utf8)
        let passing = onyx("conformance", node + "/test_add", "--known-failures", list)
        #expect(passing.status == 0, "\(passing.out)")
        #expect(!passing.out.contains("take it off the list"))
        // Failing, it counts as listed: a wrong expected output makes it fail.
        let test = folder.path("flaky/test_add")
        try FileManager.default.createDirectory(atPath: folder.path("flaky"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: node + "/test_add", toPath: test)
        try FileManager.default.removeItem(atPath: test + "/test_data_set_0/output_0.pb")
        try FileManager.default.copyItem(
            atPath: test + "/test_data_set_0/input_0.pb", toPath: test + "/test_data_set_0/output_0.pb")
        let failing = onyx("conformance", test, "--known-failures", list)
        #expect(failing.status == 0, "\(failing.out)")
        #expect(failing.out.contains("0 passed, 1 failed, 0 skipped (1 of the failures listed as known)"))
    }
}
