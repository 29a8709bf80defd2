import Testing

import OnyxCLI

/// The services the tool uses instead of Foundation's: running a child
/// process and the text helpers the reports rely on.
@Suite struct ProcessAndTextTests {
    @Test func childGetsItsInputAndBothOutputsAreCollected() throws {
        // More than any pipe or socket buffer holds, in and out, so a
        // tool that wrote all the input before reading would deadlock.
        let input = [UInt8](repeating: UInt8(ascii: "x"), count: 3 << 20)
        let result = try runChild("/bin/sh", arguments: ["-c", "cat; echo done >&2; exit 3"], input: input)
        #expect(result.status == 3)
        #expect(result.output == input)
        #expect(result.errors == Array("done\n".utf8))
    }

    @Test func childThatExitsEarlyIsNotFatal() throws {
        let input = [UInt8](repeating: 0, count: 8 << 20)
        let result = try runChild("/bin/sh", arguments: ["-c", "echo refused >&2; exit 1"], input: input)
        #expect(result.status == 1)
        #expect(result.errors == Array("refused\n".utf8))
    }

    @Test func childKilledBySignalReportsIt() throws {
        let result = try runChild("/bin/sh", arguments: ["-c", "kill -KILL $$"], input: [])
        #expect(result.status == 128 + 9)
    }

    @Test func missingProgramIsAnError() {
        #expect(throws: CommandFailure.self) { try runChild("/nonexistent/dot", arguments: [], input: []) }
    }

    @Test func emptyContainersAreJoinedOnlyAcrossLayout() {
        let text = "{\n  \"a\" : [\n\n  ],\n  \"b\" : {\n  },\n  \"c\" : \"[ ]\",\n  \"d\" : [ ]\n}"
        let joined = String(decoding: JSONOutput.joiningEmptyContainers(Array(text.utf8)), as: UTF8.self)
        #expect(joined == "{\n  \"a\" : [],\n  \"b\" : {},\n  \"c\" : \"[ ]\",\n  \"d\" : [ ]\n}")
    }

    @Test func printfFormattingMatchesC() {
        #expect(printfFormat("%.3g", 0.000123456) == "0.000123")
        #expect(printfFormat("%.3g", 1234567) == "1.23e+06")
        #expect(printfFormat("%.1f", 2.25) == "2.2")
        #expect(printfFormat("%.400f", 1).count == 402)
    }

    @Test func paddingAndTrimming() {
        #expect("ab".padded(to: 4) == "ab  ")
        #expect("abcdef".padded(to: 4) == "abcdef")
        #expect(" \t a b \n".trimmingWhitespace() == "a b")
        #expect("   ".trimmingWhitespace() == "")
    }
}
