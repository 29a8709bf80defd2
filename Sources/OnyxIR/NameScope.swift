/// Names visible while building one graph from a file: its own values, then
/// those of the graphs around it. Names no scope defines become free values,
/// shared by every reader, so that the file's names all come back on export.
///
/// ONNX links values by name; every reader of a format (binary, text
/// syntax) resolves names through this one type so they agree on it.
public final class NameScope {
    private var values: [String: Value] = [:]
    private let parent: NameScope?
    private var free: [String: Value] = [:]

    public init(parent: NameScope?) { self.parent = parent }

    /// Makes room for `count` more names, so that defining a large graph's
    /// values does not rehash the table as it grows.
    public func reserveCapacity(_ count: Int) { values.reserveCapacity(values.count + count) }

    /// Makes `value` visible under its name; an earlier definition of the
    /// same name in this scope wins only when `keepExisting` is set.
    /// Returns whether the name was already defined here.
    @discardableResult
    public func define(_ value: Value, keepExisting: Bool = false) -> Bool {
        if keepExisting, values[value.name] != nil { return true }
        return values.updateValue(value, forKey: value.name) != nil
    }

    /// The value `name` stands for in this scope or an enclosing one.
    public func lookup(_ name: String) -> Value? { values[name] ?? parent?.lookup(name) }

    /// `lookup` without taking a reference to the value, for a reader that
    /// notes which value each of many names stands for while this scope
    /// keeps them alive: two threads taking references to a value read by
    /// every node (a shared constant) contend for its reference count.
    public func lookupUnretained(_ name: String) -> Unmanaged<Value>? {
        if let value = values[name] { return Unmanaged.passUnretained(value) }
        return parent?.lookupUnretained(name)
    }

    /// The value `name` stands for in this scope alone.
    public func lookupLocal(_ name: String) -> Value? { values[name] }

    /// The value `name` refers to, or a free value standing for it.
    public func resolve(_ name: String) -> Value {
        if let value = lookup(name) { return value }
        return root.freeValue(name)
    }

    /// The value an initializer named `name` defines: the graph input of
    /// that name when there is one not yet holding a constant, else a new
    /// value defined here.
    public func initializerValue(named name: String, in graph: Graph) -> Value {
        if let input = lookup(name), graph.inputs.contains(where: { $0 === input }),
            input.initializer == nil, input.sparseInitializer == nil
        {
            return input
        }
        let value = Value(name: name)
        define(value, keepExisting: true)
        return value
    }

    private var root: NameScope { parent?.root ?? self }

    private func freeValue(_ name: String) -> Value {
        if let value = free[name] { return value }
        let value = Value(name: name)
        free[name] = value
        return value
    }
}

/// Applies value declarations (graph inputs, outputs, value_info) as a file
/// lists them: the first declaration of a value sets its type and docs; a
/// later one that says something else is kept in
/// an override of that entry (`Graph.setDeclarationOverride`), so the file
/// is written back exactly.
public struct DeclarationRecorder {
    private var declared = Set<ObjectIdentifier>()

    public init() {}

    /// Records entry `index` of `list`, which must already hold `value`.
    public mutating func record(
        _ declaration: Declaration, for value: Value, in list: DeclarationList, at index: Int, of graph: Graph
    ) {
        if declared.insert(ObjectIdentifier(value)).inserted {
            value.type = declaration.type
            value.docString = declaration.docString
            value.metadataProps = declaration.metadataProps
            value.declarationUnknownFields = declaration.unknownFields
        } else if declaration != value.declaration {
            graph.setDeclarationOverride(declaration, in: list, at: index)
        }
    }
}
