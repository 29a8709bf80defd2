import OnyxIR

/// The model's own fields: format version and operator-set imports.
enum ModelRules {
    /// The newest IR version the pinned onnx knows (`onnx.IR_VERSION`).
    static let newestIRVersion: Int64 = 14

    static let irVersionMissing = CheckRule("model.ir-version-missing", .error, "the model has no ir_version (or 0)")
    static let irVersionUnsupported = CheckRule(
        "model.ir-version-unsupported", .error, "ir_version is newer than the newest the checker knows")
    static let opsetMissing = CheckRule("model.opset-missing", .error, "a model of IR version 3 or later imports no operator set")
    static let opsetForbidden = CheckRule("model.opset-forbidden", .error, "a model of IR version below 3 imports operator sets")
    static let opsetRange = CheckRule("model.opset-range", .error, "an opset version outside the 32-bit range")
    static let opsetDuplicate = CheckRule(
        "model.opset-duplicate", .warning, "one domain is imported twice (onnx takes the last; which was meant?)")
    static let metadataDuplicate = CheckRule("model.metadata-duplicate", .error, "a metadata_props key appears twice")
    static let functionOpsetDuplicate = CheckRule(
        "function.opset-duplicate", .warning, "a model-local function imports one domain twice")

    static let rules = [
        irVersionMissing, irVersionUnsupported, opsetMissing, opsetForbidden, opsetRange, opsetDuplicate,
        metadataDuplicate, functionOpsetDuplicate,
    ]

    static func check(_ context: CheckContext) {
        let model = context.model
        let field = IRPath([.field("ir_version")])
        let version = model.irVersion ?? 0
        if version == 0 {
            context.report(irVersionMissing, "the model has no ir_version", at: field, hint: "set ir_version")
        } else if version > newestIRVersion {
            context.report(
                irVersionUnsupported, "ir_version \(version) is newer than \(newestIRVersion), the newest this checker knows",
                at: field)
        }
        let opsets = IRPath([.field("opset_import")])
        if model.opsetImports.isEmpty && version >= 3 {
            context.report(
                opsetMissing, "the model imports no operator set", at: opsets,
                hint: "import the default domain, e.g. opset_import { domain: \"\" version: 21 }")
        } else if !model.opsetImports.isEmpty && version < 3 && version != 0 {
            context.report(opsetForbidden, "a model of IR version \(version) cannot import operator sets", at: opsets)
        }
        for entry in model.opsetImports + model.functions.flatMap(\.opsetImports) {
            if let v = entry.version, Int32(exactly: v) == nil {
                context.report(opsetRange, "opset version \(v) is outside the supported range", at: opsets)
            }
        }
        duplicates(model.opsetImports, rule: opsetDuplicate, at: opsets, context)
        var keys = Set<String>()
        for entry in model.metadataProps where !keys.insert(entry.key ?? "").inserted {
            context.report(
                metadataDuplicate, "metadata_props has the key '\(entry.key ?? "")' twice", at: IRPath([.field("metadata_props")]))
        }
        for function in model.functions {
            let path = IRPath([
                .function(domain: function.domain, name: function.name, overload: function.overload), .field("opset_import"),
            ])
            duplicates(function.opsetImports, rule: functionOpsetDuplicate, at: path, context)
        }
    }

    private static func duplicates(_ imports: [OpsetImport], rule: CheckRule, at path: IRPath, _ context: CheckContext) {
        // onnx keys its map by the domain as written: "" and "ai.onnx" are two.
        var seen = Set<String>()
        for entry in imports where !seen.insert(entry.domain ?? "").inserted {
            context.report(rule, "domain '\(OperatorDomain.displayName(entry.domain))' is imported more than once", at: path)
        }
    }
}
