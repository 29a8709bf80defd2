import Foundation
import Testing
import OnyxCLI
import OnyxConformanceSupport
import OnyxTestSupport

/// Runs `onyx` in-process; paths under the repository print relative to it
/// so that snapshots do not depend on where the checkout lives.
func onyx(_ arguments: String...) -> (status: Int32, out: String, err: String) {
    onyx(arguments)
}

/// The same, with `input` as standard input and standard output a terminal
/// or not.
func onyx(_ arguments: [String], input: [UInt8] = [], terminal: Bool = false) -> (status: Int32, out: String, err: String) {
    let (console, captured) = Console.capturing()
    console.readInput = { input }
    console.isTerminal = terminal
    let status = OnyxCommand.run(arguments, console: console)
    let root = ConformanceData.repositoryRoot.path + "/"
    let (out, err) = captured()
    return (status, out.replacingOccurrences(of: root, with: ""), err.replacingOccurrences(of: root, with: ""))
}

func fixture(_ name: String) -> String { ConformanceData.fixtures.appendingPathComponent(name).path }

/// The cases a one-rule model generator beside the tests (`invalid_models.py`,
/// `full_check_models.py`) writes into `folder`, run with the pinned onnx:
/// name, the Onyx rule expected (`-` for none), and whether onnx's checker
/// found the model valid.
func oracleCases(_ script: String, into folder: TemporaryDirectory) throws -> [(name: String, rule: String, onnxValid: Bool)] {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(script)
    let run = try runProcess(URL(fileURLWithPath: PythonOracle.python), [path.path, folder.url.path])
    try #require(run.status == 0, "\(run.err)")
    // onnx prints its own warnings on stdout too; cases are the tab lines.
    let lines = run.out.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
    return lines.filter { $0.count == 3 }.map { fields in (String(fields[0]), String(fields[1]), fields[2] == "valid") }
}

/// `onyx check --json` of the model, the last argument, with the options
/// before it: the exit status and the rule ids of the errors and warnings.
func checkFindings(_ arguments: String...) throws -> (status: Int32, errors: [String], warnings: [String]) {
    let result = onyx(["check", "--json"] + arguments)
    let document = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
    let diagnostics = document?["diagnostics"] as? [[String: Any]] ?? []
    func rules(_ severity: String) -> [String] {
        diagnostics.filter { $0["severity"] as? String == severity }.compactMap { $0["rule"] as? String }
    }
    return (result.status, rules("error"), rules("warning"))
}
