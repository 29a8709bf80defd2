import OnyxIR

/// Names visible while importing one graph: its own values, then those of
/// the graphs around it. Names no scope defines become free values, shared
/// by every reader, so the file's names all come back on export.
final class Scope {
    private var values: [String: Value] = [:]
    private let parent: Scope?
    private var free: [String: Value] = [:]

    init(parent: Scope?) { self.parent = parent }

    /// Makes `value` visible under its name; an earlier definition of the
    /// same name in this scope wins only when `keepExisting` is set.
    func define(_ value: Value, keepExisting: Bool = false) {
        if keepExisting, values[value.name] != nil { return }
        values[value.name] = value
    }

    func lookup(_ name: String) -> Value? { values[name] ?? parent?.lookup(name) }

    /// The value `name` refers to, or a free value standing for it.
    func resolve(_ name: String) -> Value {
        if let value = lookup(name) { return value }
        return root.freeValue(name)
    }

    private var root: Scope { parent?.root ?? self }

    private func freeValue(_ name: String) -> Value {
        if let value = free[name] { return value }
        let value = Value(name: name)
        free[name] = value
        return value
    }
}
