import Foundation
import OnyxCLI
import OnyxIR
import OnyxONNX
import OnyxTestSupport
import Testing

/// Ordinary commands never damage a user's files.
@Suite struct FileSafetyTests {
    let folder = TemporaryDirectory()

    func bytes(_ path: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path)) }

    /// fixtures/external copied into the scratch folder: model.onnx + weights.bin.
    func externalCopy() throws -> (model: String, weights: String) {
        try FileManager.default.copyItem(atPath: fixture("external"), toPath: folder.path("ex"))
        return (folder.path("ex/model.onnx"), folder.path("ex/weights.bin"))
    }

    /// The file type bits `lstat` gives (the link itself, not its target).
    func fileType(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    @Test func anInputsDataFileIsNeverTheOutput() throws {
        let (model, weights) = try externalCopy()
        let before = bytes(weights)
        let result = onyx("convert", model, weights, "--to", "onnx")
        #expect(result.status == 2)
        #expect(result.err.contains("weights.bin: is the external data of"), "\(result.err)")
        #expect(bytes(weights) == before)
        // Another spelling, a symbolic link and a hard link are the same file.
        try FileManager.default.createSymbolicLink(atPath: folder.path("alias.bin"), withDestinationPath: weights)
        try FileManager.default.linkItem(atPath: weights, toPath: folder.path("hard.bin"))
        for path in [folder.path("ex/../ex/weights.bin"), folder.path("alias.bin"), folder.path("hard.bin")] {
            #expect(onyx("convert", model, path, "--to", "onnx").status == 2, "\(path)")
        }
        #expect(onyx("convert", model, model).status == 2)
        #expect(bytes(weights) == before)
    }

    @Test func aDiffPageNeverReplacesAModel() throws {
        let model = folder.path("m.onnx")
        try FileManager.default.copyItem(atPath: fixture("mlp.onnx"), toPath: model)
        let result = onyx("diff", "--html", model, model, fixture("kitchen-sink.onnx"))
        #expect(result.status == 2)
        #expect(bytes(model) == bytes(fixture("mlp.onnx")))
        let report = onyx("diff", "-o", model, model, fixture("mlp.onnx"))
        #expect(report.status == 2)
        #expect(report.err.contains("a command never overwrites its input"), "\(report.err)")
        #expect(bytes(model) == bytes(fixture("mlp.onnx")))
    }

    @Test func devicesAreWrittenInPlace() throws {
        let full = onyx("convert", fixture("mlp.onnx"), "/dev/full", "--to", "onnx")
        #expect(full.status == 2)
        #expect(full.err.contains("No space left on device"), "\(full.err)")
        #expect(fileType("/dev/full") == S_IFCHR)
        #expect(onyx("convert", fixture("mlp.onnx"), "/dev/null", "--to", "onnx").status == 0)
        #expect(fileType("/dev/null") == S_IFCHR)
    }

    @Test func aFIFOsReaderGetsTheModel() throws {
        let fifo = folder.path("pipe")
        #expect(mkfifo(fifo, 0o644) == 0)
        final class Received: @unchecked Sendable { var data = Data() }
        let received = Received()
        let reader = Thread { received.data = FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile() ?? Data() }
        reader.start()
        #expect(onyx("convert", fixture("mlp.onnx"), fifo, "--to", "onnx").status == 0)
        while !reader.isFinished { usleep(1000) }
        #expect(received.data == bytes(fixture("mlp.onnx")))
        #expect(fileType(fifo) == S_IFIFO)
    }

    @Test func aSymbolicLinkIsWrittenThrough() throws {
        try FileManager.default.createDirectory(atPath: folder.path("real"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.path("link.onnx"), withDestinationPath: "real/target.onnx")
        #expect(onyx("convert", fixture("mlp.onnx"), folder.path("link.onnx")).status == 0)
        #expect(fileType(folder.path("link.onnx")) == S_IFLNK)
        #expect(bytes(folder.path("real/target.onnx")) == bytes(fixture("mlp.onnx")))
        #expect(folder.contents.filter { $0.contains(".tmp") }.isEmpty)
    }

    @Test func anElidedModelIsNeverWrittenAsAComplete_One() throws {
        let elided = folder.path("e.json")
        #expect(onyx("convert", fixture("mlp.onnx"), elided, "--elide-weights").status == 0)
        let result = onyx("convert", elided, folder.path("e3.onnx"), "--weights-from", elided)
        #expect(result.status == 2)
        #expect(result.err.contains("--weights-from cannot fill 4 elided initializer(s): 'fc1.weight' (elided in the weights file too)"), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("e3.onnx")))
    }

    @Test func aFailedMultiFileOutputLeavesNothing() throws {
        // The model's path is a folder: the data file must not stay behind.
        try FileManager.default.createDirectory(atPath: folder.path("taken.onnx"), withIntermediateDirectories: true)
        let model = onyx("convert", fixture("mlp.onnx"), folder.path("taken.onnx"), "--external-data", "w.bin", "--size-threshold", "1024")
        #expect(model.status == 2)
        #expect(model.err.contains("taken.onnx: is a folder, not a file"), "\(model.err)")
        // The data file's path is a folder: the model must not appear.
        try FileManager.default.createDirectory(atPath: folder.path("w2.bin"), withIntermediateDirectories: true)
        let data = onyx("convert", fixture("mlp.onnx"), folder.path("m2.onnx"), "--external-data", "w2.bin")
        #expect(data.status == 2)
        #expect(folder.contents == ["taken.onnx", "w2.bin"])
    }

    @Test func aRefusedDataFileLeavesNoModel() throws {
        // The data file's name is a link out of the folder (to a full disk):
        // refused like any escaping location, and the model must not appear.
        try FileManager.default.createSymbolicLink(atPath: folder.path("w.bin"), withDestinationPath: "/dev/full")
        let result = onyx("convert", fixture("mlp.onnx"), folder.path("m.onnx"), "--external-data", "w.bin")
        #expect(result.status == 2)
        #expect(result.err.contains("external data location 'w.bin' resolves outside the model's folder"), "\(result.err)")
        #expect(folder.contents == ["w.bin"])
    }

    @Test func aMissingFolderIsOneErrorUnlessParentsIsGiven() throws {
        for (name, extra) in [("m.onnx", [String]()), ("m.json", []), ("m.onnx", ["--external-data", "w.bin"])] {
            let result = onyx(["convert", fixture("mlp.onnx"), folder.path("no/such/\(name)")] + extra)
            #expect(result.status == 2)
            #expect(result.err.contains("the folder '\(folder.path("no/such"))' does not exist\n  hint: create it, or pass --parents"), "\(result.err)")
        }
        #expect(folder.contents.isEmpty)
        #expect(onyx("convert", fixture("mlp.onnx"), folder.path("made/here/m.onnx"), "--parents").status == 0)
        #expect(bytes(folder.path("made/here/m.onnx")) == bytes(fixture("mlp.onnx")))
    }

    @Test func anyNameTheFileSystemTakesWorks() {
        let name = String(repeating: "n", count: 250) + ".onnx"
        #expect(onyx("convert", fixture("mlp.onnx"), folder.path(name)).status == 0)
        #expect(bytes(folder.path(name)) == bytes(fixture("mlp.onnx")))
    }
}

/// `-` and the other conventions every command shares.
@Suite struct ConventionTests {
    let folder = TemporaryDirectory()

    var mlp: [UInt8] { [UInt8](try! Data(contentsOf: URL(fileURLWithPath: fixture("mlp.onnx")))) }

    @Test func standardInputForEveryCommandThatReads() {
        #expect(onyx(["inspect", "-"], input: mlp).out.contains("Gemm          2"))
        #expect(onyx(["diff", "-", fixture("mlp.onnx")], input: mlp).status == 0)
        #expect(onyx(["diff", "-", "-"], input: mlp).status == 2)
        let page = onyx(["diff", "--html", "-", fixture("mlp.onnx"), fixture("mlp.onnx")])
        #expect(page.status == 0 && page.out.hasPrefix("<!DOCTYPE html>"), "\(page.out.prefix(40))")
        #expect(!FileManager.default.fileExists(atPath: "-"))
    }

    @Test func externalDataFromStandardInputSaysWhereItLooked() throws {
        let model = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture("external/model.onnx"))))
        let missing = onyx(["convert", "-", folder.path("x.onnx")], input: model)
        #expect(missing.status == 2)
        #expect(missing.err.contains("<standard input>: tensor 'fc1.weight': external data file 'weights.bin'"), "\(missing.err)")
        #expect(missing.err.contains("note: a model read from standard input finds its external data relative to"))
        let found = onyx(["convert", "-", folder.path("x.onnx"), "--inline-data", "--base-dir", fixture("external")], input: model)
        #expect(found.status == 0, "\(found.err)")
    }

    @Test func standardOutputCarriesNoDataFilesAndNoBinaryToATerminal() {
        let kept = onyx("convert", fixture("external/model.onnx"), "-", "--to", "onnx")
        #expect(kept.status == 2 && kept.err.contains("hint: pass --inline-data"), "\(kept.err)")
        #expect(onyx("convert", fixture("external/model.onnx"), "-", "--to", "onnx", "--inline-data").status == 0)
        let terminal = onyx(["convert", fixture("mlp.onnx"), "-", "--to", "onnx"], terminal: true)
        #expect(terminal.status == 2 && terminal.err.contains("standard output is a terminal"))
        #expect(onyx(["convert", fixture("mlp.onnx"), "-", "--to", "textproto"], terminal: true).status == 0)
    }

    @Test func structureOnlyOutputsDoNotNeedTheWeights() throws {
        try FileManager.default.copyItem(atPath: fixture("external/model.onnx"), toPath: folder.path("alone.onnx"))
        for output in ["a.dot", "a.onnxtxt"] {
            let extra = output.hasSuffix(".dot") ? [String]() : ["--elide-weights"]
            let result = onyx(["convert", folder.path("alone.onnx"), folder.path(output)] + extra)
            #expect(result.status == 0, "\(output): \(result.err)")
            #expect(result.err.contains("warning: tensor 'fc1.weight': external data file 'weights.bin'"), "\(result.err)")
        }
        #expect(onyx("convert", folder.path("a.onnxtxt"), folder.path("b.dot")).status == 0)
        #expect(onyx("convert", folder.path("alone.onnx"), folder.path("c.onnx")).status == 2)
        #expect(onyx("convert", folder.path("alone.onnx"), folder.path("d.dot"), "--quiet").err.isEmpty)
    }

    @Test func graphvizFailingEarlyIsReported() throws {
        // A dot that refuses its input at once, as dot does with names too
        // long for it: writing the rest of a big drawing must not kill us.
        let bin = folder.path("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "#!/bin/sh\necho 'Error: name too long' >&2\nexit 1\n".write(toFile: bin + "/dot", atomically: true, encoding: .utf8)
        chmod(bin + "/dot", 0o755)
        let model = try ModelFile.load(fixture("kitchen-sink.onnx"))
        model.graph!.name = String(repeating: "g", count: 1 << 20)
        #expect {
            try PictureFormat.svg.render(model, searchPath: bin)
        } throws: { error in
            "\(error)" == "dot failed: Error: name too long"
        }
    }

    @Test func unknownExternalDataKeysAreWarnedAboutAndKept() throws {
        try FileManager.default.copyItem(atPath: fixture("external"), toPath: folder.path("ex"))
        let model = try ModelFile.load(folder.path("ex/model.onnx"))
        model.updateTensors { tensor in
            if tensor.name == "fc1.weight" { tensor.externalData?.entries.append(StringPair("tier", "hot")) }
        }
        try Data(ModelEncoder.encode(model)).write(to: URL(fileURLWithPath: folder.path("ex/model.onnx")))
        let result = onyx("convert", folder.path("ex/model.onnx"), folder.path("ex/copy.onnx"))
        #expect(result.status == 0)
        #expect(result.err.contains("warning: tensor 'fc1.weight': unknown external data key 'tier' (kept as written)"), "\(result.err)")
        let copy = try ModelFile.load(folder.path("ex/copy.onnx"))
        #expect(copy.allTensors.first { $0.name == "fc1.weight" }?.externalData?.entries.last == StringPair("tier", "hot"))
        #expect(onyx("inspect", folder.path("ex/model.onnx")).out.contains("  warning: tensor 'fc1.weight': unknown external data key 'tier'"))
    }

    @Test func reportsGoToAFileWithDashO() throws {
        #expect(onyx("inspect", fixture("mlp.onnx"), "-o", folder.path("i.txt")).out.isEmpty)
        #expect(try String(contentsOfFile: folder.path("i.txt"), encoding: .utf8).contains("Gemm          2"))
        #expect(onyx("diff", fixture("mlp.onnx"), fixture("kitchen-sink.onnx"), "-o", folder.path("d.txt")).status == 1)
        #expect(try String(contentsOfFile: folder.path("d.txt"), encoding: .utf8).contains("differences"))
    }

    @Test func usageAndVersion() {
        let bare = onyx([String]())
        #expect(bare.status == 2 && bare.err.contains("USAGE: onyx"))
        #expect(onyx("--version").out == OnyxCommand.version + "\n")
    }

    @Test func colorsFollowTheEnvironment() {
        let colored = onyx("diff", "--color", "always", fixture("mlp.onnx"), fixture("kitchen-sink.onnx"))
        #expect(colored.out.contains("\u{1B}["))
        #expect(!onyx("diff", fixture("mlp.onnx"), fixture("kitchen-sink.onnx")).out.contains("\u{1B}["))
    }
}
