/// The three lists of a graph that declare values (`ValueInfoProto`s).
public enum DeclarationList: Hashable, Sendable, CaseIterable {
    case inputs, outputs, valueInfo
}

/// Which entry an override belongs to: the value it declares, in which list,
/// and which of that value's entries in the list (a value may be listed
/// twice as an output, each time declared differently).
struct DeclarationKey: Hashable {
    let list: DeclarationList
    let value: ObjectIdentifier
    let occurrence: Int
}

// NOTE: a file may declare one value twice and say different things (an
// output that is also an input, with another type). The value carries the
// first declaration; a differing later one is an override, kept so the file
// is written back exactly. Overrides are keyed by the value and its
// occurrence, never by position, so removing another entry cannot hand an
// override to the wrong value.
extension Graph {
    /// The declaration written for each entry of `list`: the entry's
    /// override, or the value's own declaration.
    public func declarations(in list: DeclarationList) -> [Declaration] {
        let values = self[list]
        guard !overrides.isEmpty else { return values.map(\.declaration) }
        return zip(values, declarationOverrides(in: list)).map { $1 ?? $0.declaration }
    }

    /// True when some entry of some list is declared by an override rather
    /// than by its value (`declarations(in:)` is then more than the values'
    /// own declarations).
    public var hasDeclarationOverrides: Bool { !overrides.isEmpty }

    /// The override of each entry of `list`, nil where the entry is declared
    /// by its value alone.
    public func declarationOverrides(in list: DeclarationList) -> [Declaration?] {
        let values = self[list]
        guard !overrides.isEmpty else { return Array(repeating: nil, count: values.count) }
        var occurrences: [ObjectIdentifier: Int] = [:]
        return values.map { value in
            let id = ObjectIdentifier(value)
            let occurrence = occurrences[id, default: 0]
            occurrences[id] = occurrence + 1
            return overrides[DeclarationKey(list: list, value: id, occurrence: occurrence)]
        }
    }

    /// Declares entry `index` of `list` as `declaration` instead of by its
    /// value (nil removes the override).
    public func setDeclarationOverride(_ declaration: Declaration?, in list: DeclarationList, at index: Int) {
        editEntries(of: list) { $0[index].1 = declaration }
    }

    /// Every override, in list order: what a format that cannot carry them
    /// must report as lost.
    public var allDeclarationOverrides: [Declaration] {
        DeclarationList.allCases.flatMap { declarationOverrides(in: $0).compactMap { $0 } }
    }

    /// Replaces the overrides of `list` with `entries`, one per list entry.
    func setOverrides(_ entries: [Declaration?], in list: DeclarationList) {
        overrides = overrides.filter { $0.key.list != list }
        var occurrences: [ObjectIdentifier: Int] = [:]
        for (value, declaration) in zip(self[list], entries) {
            let id = ObjectIdentifier(value)
            let occurrence = occurrences[id, default: 0]
            occurrences[id] = occurrence + 1
            if let declaration { overrides[DeclarationKey(list: list, value: id, occurrence: occurrence)] = declaration }
        }
    }
}
