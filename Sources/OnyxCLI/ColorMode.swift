import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

/// `--color auto|always|never`, one meaning for every command: `auto`
/// colors a terminal unless `NO_COLOR` is set (no-color.org), and
/// `CLICOLOR_FORCE` (set and not 0) colors even when not a terminal.
enum ColorMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    case auto, always, never

    func isEnabled(terminal: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if let force = environment["CLICOLOR_FORCE"], !force.isEmpty, force != "0" { return true }
            return terminal && (environment["NO_COLOR"] ?? "").isEmpty
        }
    }
}
