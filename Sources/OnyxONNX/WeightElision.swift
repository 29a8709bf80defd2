import OnyxIR

/// Weights left out of a text rendering of a model (`--elide-weights`), so
/// that a big model prints as its structure. An elided initializer keeps
/// its name, type and dims and loses its data; a metadata entry on the
/// tensor (`onyx.elided` = the data's size in bytes) marks it, so such a
/// file is never mistaken for a complete model: it is refused as one until
/// its weights are restored from a companion model.
public enum WeightElision {
    public static let marker = Tensor.elisionMarker

    /// Drops the data of every dense initializer, in place.
    public static func elide(_ model: Model) {
        for graph in model.topLevelGraphs {
            for value in graph.initializers {
                guard var tensor = value.initializer, !isElided(tensor) else { continue }
                let bytes = tensor.byteCount
                tensor.removeElements()
                tensor.metadataProps.append(StringPair(marker, String(bytes)))
                value.initializer = tensor
            }
        }
    }

    /// Names of the initializers whose data was elided.
    public static func elidedInitializers(_ model: Model) -> [String] {
        model.topLevelGraphs.flatMap { graph in
            graph.initializers.filter { $0.initializer.map(isElided) ?? false }.map(\.name)
        }
    }

    static func isElided(_ tensor: Tensor) -> Bool { tensor.isElided }

    /// Puts back the data of every elided initializer from the initializer
    /// of the same name in `companion`, which must have the same type and
    /// dims and hold its data. Every elided initializer is filled or
    /// nothing changes: the error names each one that could not be.
    public static func restore(_ model: Model, from companion: Model) throws(ONNXError) {
        var weights: [String: Tensor] = [:]
        for graph in companion.topLevelGraphs {
            for value in graph.initializers { if let tensor = value.initializer { weights[value.name] = tensor } }
        }
        var restored: [(Value, Tensor)] = []
        var unfilled: [(name: String, why: String)] = []
        for graph in model.topLevelGraphs {
            for value in graph.initializers {
                guard let elided = value.initializer, isElided(elided) else { continue }
                guard var source = weights[value.name] else {
                    unfilled.append((value.name, "not in the weights file"))
                    continue
                }
                guard source.dataType == elided.dataType, source.dims == elided.dims else {
                    unfilled.append(
                        (value.name, "\(elided.dataType?.name ?? "?")\(elided.dims) here but "
                            + "\(source.dataType?.name ?? "?")\(source.dims) in the weights file"))
                    continue
                }
                guard !isElided(source), source.byteCount > 0 || source.elementCount == 0 else {
                    unfilled.append((value.name, "elided in the weights file too"))
                    continue
                }
                source.name = elided.name
                source.docString = elided.docString
                source.metadataProps = elided.metadataProps.filter { $0.key != marker }
                restored.append((value, source))
            }
        }
        guard unfilled.isEmpty else {
            let shown = unfilled.prefix(8).map { "'\($0.name)' (\($0.why))" }.joined(separator: ", ")
            throw ONNXError(
                .unwritable,
                "--weights-from cannot fill \(unfilled.count) elided initializer(s): \(shown)"
                    + (unfilled.count > 8 ? ", …" : ""),
                hint: "give the complete model the text was made from")
        }
        for (value, tensor) in restored { value.initializer = tensor }
    }
}
