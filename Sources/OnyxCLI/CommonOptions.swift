import ArgumentParser

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

    /// Applies them to the console the command writes through.
    func apply(to console: Console) {
        console.quiet = quiet
        console.colorMode = color
    }
}
