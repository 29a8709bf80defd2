/// The limits Onyx keeps to whatever a model file declares. A file's sizes
/// are budgets, not promises: a tiny file can declare a tensor of 2^40
/// elements, nest ten thousand subgraphs or hold ten million empty nodes,
/// and each reader checks what it is about to build against these before
/// building it. The defaults are far above what real models need; a user
/// with a model past one raises it with `--budget NAME=VALUE` or the
/// `ONYX_BUDGET` environment variable (`nodes=50M,tensor-bytes=128GiB`).
///
/// The budgets in force are ``current``, a task-local value: the command
/// line sets it around a whole command, and a test or library user sets it
/// around the work it guards (`Budgets.$current.withValue(...)`), without
/// disturbing work that runs beside it.
public struct Budgets: Hashable, Sendable {
    /// One budget: its name on the command line, its default and what it
    /// counts.
    public enum Limit: Int, CaseIterable, Hashable, Sendable {
        case nesting, rank, tensorElements, tensorBytes, externalDataBytes, nodes, attributes, nameLength, stringLength

        /// The name `--budget` and `ONYX_BUDGET` take (`tensor-bytes`).
        public var name: String {
            switch self {
            case .nesting: return "nesting"
            case .rank: return "rank"
            case .tensorElements: return "tensor-elements"
            case .tensorBytes: return "tensor-bytes"
            case .externalDataBytes: return "external-data-bytes"
            case .nodes: return "nodes"
            case .attributes: return "attributes"
            case .nameLength: return "name-length"
            case .stringLength: return "string-length"
            }
        }

        /// The default. Each is well above the largest real model's need
        /// and below what would exhaust a machine (or its stack).
        public var standard: Int {
            switch self {
            // Every reader recurses through subgraphs; Python's protobuf
            // refuses messages nested 100 deep (about 33 graphs).
            case .nesting: return 64
            // numpy's own limit on dimensions (NPY_MAXDIMS since 2.0).
            case .rank: return 64
            // 64 GiB of float32; the largest tensors of 400 B-parameter
            // models hold about 2^31.
            case .tensorElements: return 1 << 34
            case .tensorBytes: return 1 << 36
            // 4 TiB: a 1 T-parameter model in float32.
            case .externalDataBytes: return 1 << 42
            // 16 M nodes, counting subgraphs and functions; the largest
            // exported graphs have about a million.
            case .nodes: return 1 << 24
            case .attributes: return 1024
            // 64 KiB for a name (value, node, tensor, graph, op type,
            // domain, attribute); 256 MiB for a string (string tensor
            // element, string attribute, doc string, metadata value).
            case .nameLength: return 1 << 16
            case .stringLength: return 1 << 28
            }
        }

        /// What the budget counts, for help text and errors.
        public var summary: String {
            switch self {
            case .nesting: return "levels of nested subgraphs, types and values"
            case .rank: return "dimensions of one tensor or shape"
            case .tensorElements: return "elements of one tensor the tool materializes"
            case .tensorBytes: return "bytes of one tensor the tool materializes"
            case .externalDataBytes: return "bytes of external data one model references"
            case .nodes: return "nodes of one model, subgraphs and functions included"
            case .attributes: return "attributes of one node"
            case .nameLength: return "bytes of one name"
            case .stringLength: return "bytes of one string"
            }
        }

        /// The budget called `name`, if there is one.
        public init?(name: String) {
            guard let limit = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = limit
        }
    }

    private var values: [Int]

    /// Every budget at its default.
    public static let standard = Budgets()

    /// The budgets in force for the work the current task does.
    @TaskLocal public static var current = Budgets.standard

    /// Every budget at its default.
    public init() { values = Limit.allCases.map(\.standard) }

    /// The amount `limit` allows.
    public subscript(limit: Limit) -> Int {
        get { values[limit.rawValue] }
        set { values[limit.rawValue] = newValue }
    }

    /// These budgets with the settings of `text` applied: a comma-separated
    /// list of `NAME=VALUE`, where VALUE is a count with an optional suffix
    /// (`k`, `M`, `G`, `T` for powers of 1000; `KiB`, `MiB`, `GiB`, `TiB`
    /// for powers of 1024) or `unlimited`. `source` names where the text
    /// came from, for the error.
    public func applying(_ text: String, from source: String) throws(BudgetSettingError) -> Budgets {
        var copy = self
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            let setting = try BudgetSetting(parsing: String(item), from: source)
            copy[setting.limit] = setting.amount
        }
        return copy
    }

    /// Throws a ``BudgetExceeded`` when `amount` is above `limit`'s budget.
    /// `what` names the thing counted and `path` where it is.
    public func check(
        _ limit: Limit, _ amount: Int, _ what: @autoclosure () -> String, at path: @autoclosure () -> IRPath = IRPath()
    ) throws(BudgetExceeded) {
        guard amount > self[limit] else { return }
        throw BudgetExceeded(limit: limit, amount: amount, budget: self[limit], what: what(), path: path())
    }

    /// The element count and byte size of a tensor of `dims` with elements
    /// of `bitWidth` bits, held to the element and byte budgets (and to the
    /// rank budget), returning the element count. Negative dims are the
    /// caller's to refuse first. Any integer dims will do, so that the
    /// runtime's `[Int]` shapes are checked without a converted copy.
    public func checkTensor<Dim: BinaryInteger>(dims: some Collection<Dim>, bitWidth: Int, _ what: @autoclosure () -> String,
        at path: @autoclosure () -> IRPath = IRPath()) throws(BudgetExceeded) -> Int
    {
        try check(.rank, dims.count, what(), at: path())
        var count = 1
        for dim in dims where dim >= 0 {
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(clamping: dim))
            guard !overflow else {
                throw BudgetExceeded(
                    limit: .tensorElements, amount: .max, budget: self[.tensorElements], what: what(), path: path())
            }
            count = product
        }
        try check(.tensorElements, count, what(), at: path())
        let (bits, overflow) = count.multipliedReportingOverflow(by: bitWidth)
        try check(.tensorBytes, overflow ? .max : (bits + 7) / 8, what(), at: path())
        return count
    }
}

/// One `NAME=VALUE` of `--budget` or `ONYX_BUDGET`.
public struct BudgetSetting: Hashable, Sendable {
    public var limit: Budgets.Limit
    public var amount: Int

    /// Parses `nodes=50M`; `source` names where it came from, for the error.
    public init(parsing text: String, from source: String) throws(BudgetSettingError) {
        // Spaces carry no meaning in a setting (`nodes = 50M`).
        let parts = text.filter { !$0.isWhitespace }.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let limit = Budgets.Limit(name: parts[0]) else {
            throw BudgetSettingError(source: source, text: text, problem: "expected NAME=VALUE with NAME one of "
                + Budgets.Limit.allCases.map(\.name).joined(separator: ", "))
        }
        guard let amount = Self.amount(parts[1]) else {
            throw BudgetSettingError(source: source, text: text,
                problem: "expected a count such as 1000, 50M or 128GiB, or 'unlimited'")
        }
        self.limit = limit
        self.amount = amount
    }

    private static let multipliers: [(suffix: String, factor: Int)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
        ("k", 1_000), ("K", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
    ]

    private static func amount(_ text: String) -> Int? {
        if text == "unlimited" { return .max }
        var digits = Substring(text)
        var factor = 1
        if let multiplier = multipliers.first(where: { text.hasSuffix($0.suffix) }) {
            digits = digits.dropLast(multiplier.suffix.count)
            factor = multiplier.factor
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let count = Int(digits) else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }
}

/// A `--budget` or `ONYX_BUDGET` setting that does not parse.
public struct BudgetSettingError: DiagnosticError, Hashable {
    public var source: String
    public var text: String
    public var problem: String

    public var diagnostic: Diagnostic {
        .error("budget.setting", "\(source): '\(text)' is not a budget setting: \(problem)")
    }
}

/// A model that asks for more than a budget allows: the budget, the amount,
/// the place, and how to raise it.
public struct BudgetExceeded: DiagnosticError, Hashable {
    public var limit: Budgets.Limit
    /// What the model asked for (`Int.max` when the count overflows).
    public var amount: Int
    public var budget: Int
    public var what: String
    public var path: IRPath

    public init(limit: Budgets.Limit, amount: Int, budget: Int, what: String, path: IRPath = IRPath()) {
        self.limit = limit
        self.amount = amount
        self.budget = budget
        self.what = what
        self.path = path
    }

    /// `budget.nodes`: one rule id per budget.
    public var rule: String { "budget." + limit.name }

    public var message: String {
        let asked = amount == .max ? "more than \(Int.max)" : "\(amount)"
        return "\(what): \(asked) is over the \(limit.name) budget of \(budget) (\(limit.summary))"
    }

    public var hint: String {
        "if the model is genuine, raise the budget with --budget \(limit.name)=N or ONYX_BUDGET=\(limit.name)=N"
    }

    public var diagnostic: Diagnostic {
        .error(rule, message, at: DiagnosticLocation(path: path), hint: hint)
    }

    /// The same refusal with `step` in front of its path: how a reader of a
    /// graph places what the reader of one node refused.
    public func within(_ step: IRPath.Step) -> BudgetExceeded {
        var copy = self
        copy.path.steps.insert(step, at: 0)
        return copy
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
