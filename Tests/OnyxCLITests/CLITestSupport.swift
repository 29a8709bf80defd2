import Foundation
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
