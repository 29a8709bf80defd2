import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OnyxIR

/// The options every command takes, declared once.
struct CommonOptions: ParsableArguments {
    @Option(help: "Color output and errors: auto (on a terminal, unless NO_COLOR is set), always or never.")
    var color: ColorMode = .auto

    @Flag(help: "Print no warnings.")
    var quiet = false

    @Option(help: ArgumentHelp(
        "For a model read from standard input (-): the folder its external data files are in (default: the current folder).",
        valueName: "dir"))
    var baseDir: String?

    @Option(name: .customLong("budget"), help: ArgumentHelp(
        "Raise (or lower) a limit on what a model file may ask for, e.g. nodes=50M or tensor-bytes=128GiB; repeatable, "
            + "over ONYX_BUDGET (the same settings, comma-separated). Budgets: "
            + Budgets.Limit.allCases.map { "\($0.name) (\($0.summary), default \($0.standard))" }.joined(separator: "; ")
            + ".",
        valueName: "name=value"))
    var budgetSettings: [String] = []

    /// The budgets the command works within: the defaults, then
    /// `ONYX_BUDGET`, then every `--budget` in order.
    func budgets(environment: [String: String] = ProcessInfo.processInfo.environment) throws(BudgetSettingError)
        -> Budgets
    {
        var budgets = Budgets.standard
        if let text = environment["ONYX_BUDGET"] { budgets = try budgets.applying(text, from: "ONYX_BUDGET") }
        for setting in budgetSettings { budgets = try budgets.applying(setting, from: "--budget") }
        return budgets
    }

    /// Applies them to the console the command writes through.
    func apply(to console: Console) {
        console.quiet = quiet
        console.colorMode = color
    }
}
