import OnyxIR

/// Model-local functions (from IR version 8), as onnx's
/// `check_model_local_functions` sees them: named, unique, not recursive,
/// each with well-formed parameters and opsets compatible with the model's.
enum FunctionRules {
    static let name = CheckRule("function.name", .error, "a function without a name or domain")
    static let duplicate = CheckRule("function.duplicate", .error, "two functions with one domain, name and overload")
    static let parameters = CheckRule(
        "function.parameters", .error, "a function input, output or attribute named twice")
    static let cycle = CheckRule("function.cycle", .error, "functions that call themselves, directly or not")
    static let opsetMissing = CheckRule(
        "function.opset-missing", .error, "a node in a function whose domain the function does not import")
    static let opsetIncompatible = CheckRule(
        "function.opset-incompatible", .error, "a function imports an opset whose schema differs from the model's")

    static let tooMany = CheckRule("function.too-many", .error, "more than 10,000 model-local functions")

    static let rules = [name, duplicate, parameters, cycle, opsetMissing, opsetIncompatible, tooMany]

    /// onnx's limit; a file with more is malformed or hostile, and the call
    /// walk below must stay bounded.
    static let maximumFunctions = 10_000

    static func check(_ context: CheckContext) {
        let model = context.model
        guard model.functions.count <= maximumFunctions else {
            context.report(
                tooMany, "the model has \(model.functions.count) local functions; onnx allows \(maximumFunctions)",
                at: IRPath([.field("functions")]))
            return
        }
        var ids = Set<String>()
        for function in model.functions {
            let path = IRPath([.function(domain: function.domain, name: function.name, overload: function.overload)])
            if (function.name ?? "").isEmpty { context.report(name, "has no name", at: path) }
            if function.domain == nil { context.report(name, "has no domain", at: path) }
            if !ids.insert(identity(function.domain, function.name, function.overload)).inserted {
                context.report(duplicate, "is defined more than once", at: path)
            }
            for (list, what) in [(function.body.inputs.map(\.name), "input"), (function.body.outputs.map(\.name), "output"),
                (function.attributeNames + function.attributeDefaults.compactMap(\.name), "attribute")] where Set(list).count != list.count
            {
                context.report(parameters, "names an \(what) twice", at: path)
            }
            checkOpsets(function, at: path, context)
        }
        checkCycles(context)
    }

    private static func identity(_ domain: String?, _ name: String?, _ overload: String?) -> String {
        OperatorDomain.normalized(domain) + "::" + (name ?? "") + "::" + (overload ?? "")
    }

    /// Every node domain a function uses must be among its own imports, at a
    /// version whose schemas agree with the model's import of that domain.
    private static func checkOpsets(_ function: Function, at path: IRPath, _ context: CheckContext) {
        func version(_ imports: [OpsetImport], _ domain: String) -> Int64? {
            imports.last { ($0.domain ?? "") == domain }?.version
                ?? (domain.isEmpty ? imports.last { $0.domain == OperatorDomain.defaultName }?.version : nil)
        }
        var reported = Set<String>()
        for (index, node) in function.body.nodes.enumerated() {
            let domain = node.domain ?? ""
            let step = node.pathStep(at: index)
            guard let own = version(function.opsetImports, domain) else {
                if reported.insert(domain).inserted {
                    context.report(
                        opsetMissing, "uses domain '\(OperatorDomain.displayName(domain))', which the function does not import",
                        at: IRPath(path.steps + [step]))
                }
                continue
            }
            guard let modelVersion = version(context.model.opsetImports, domain), modelVersion != own,
                let opType = node.opType
            else { continue }
            let mine = context.schemas.lookup(opType, domain: domain, opset: own).schema?.sinceVersion
            let theirs = context.schemas.lookup(opType, domain: domain, opset: modelVersion).schema?.sinceVersion
            if (mine != nil || theirs != nil) && mine != theirs {
                context.report(
                    opsetIncompatible,
                    "imports \(OperatorDomain.displayName(domain)) \(own) where the model imports \(modelVersion), and \(opType) differs between them",
                    at: IRPath(path.steps + [step]))
            }
        }
    }

    /// Calls between the model's functions, through subgraphs too, may not loop.
    private static func checkCycles(_ context: CheckContext) {
        let functions = context.model.functions
        let byIdentity = Dictionary(functions.map { (identity($0.domain, $0.name, $0.overload), $0) }, uniquingKeysWith: { a, _ in a })
        func callees(_ function: Function) -> [String] {
            function.body.allNodes.map { identity($0.domain, $0.opType, $0.overload) }.filter { byIdentity[$0] != nil }
        }
        var state: [String: Bool] = [:]  // false: being visited, true: done
        func visit(_ id: String, chain: [String]) -> [String]? {
            if state[id] == true { return nil }
            if state[id] == false { return chain + [id] }
            state[id] = false
            for callee in callees(byIdentity[id]!) {
                if let loop = visit(callee, chain: chain + [id]) { return loop }
            }
            state[id] = true
            return nil
        }
        for function in functions {
            let id = identity(function.domain, function.name, function.overload)
            if let loop = visit(id, chain: []) {
                context.report(
                    cycle, "calls itself: " + loop.joined(separator: " -> "),
                    at: IRPath([.function(domain: function.domain, name: function.name, overload: function.overload)]))
                return
            }
        }
    }
}
