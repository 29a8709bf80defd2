import Foundation
import OnyxIR
import OnyxSchemas
import OnyxTestSupport
import Testing

@Suite struct SchemaRegistryTests {
    let registry = SchemaRegistry.standard

    @Test func everySchemaOfThePinnedOnnx() {
        let counts = Dictionary(grouping: registry.allSchemas, by: \.domain).mapValues(\.count)
        #expect(counts == ["": 629, "ai.onnx.ml": 25, "ai.onnx.preview.training": 4, "ai.onnx.preview": 1])
    }

    @Test func theVersionInForceIsTheNewestNotAboveTheOpset() {
        #expect(registry.lookup("Split", domain: "", opset: 17).schema?.sinceVersion == 13)
        #expect(registry.lookup("Split", domain: "ai.onnx", opset: 18).schema?.sinceVersion == 18)
        #expect(registry.lookup("Split", domain: nil, opset: 28).schema?.sinceVersion == 18)
        #expect(registry.lookup("Relu", domain: "", opset: 5).schema?.sinceVersion == 1)
        #expect(registry.lookup("Gelu", domain: "", opset: 17) == .notYetDefined(firstVersion: 20))
        #expect(registry.lookup("Frobnicate", domain: "", opset: 17) == .unknownOperator)
        #expect(registry.lookup("Gelu", domain: "com.microsoft", opset: 1) == .unknownDomain)
        #expect(registry.lookup("LinearRegressor", domain: "ai.onnx.ml", opset: 1).schema?.domain == "ai.onnx.ml")
        guard case .deprecated(let upsample) = registry.lookup("Upsample", domain: "", opset: 10) else {
            Issue.record("Upsample is deprecated at opset 10")
            return
        }
        #expect(upsample.sinceVersion == 10)
        if case .found = registry.lookup("Upsample", domain: "", opset: 9) {} else { Issue.record("Upsample 9 is in force") }
    }

    /// A lookup parses only the version in force, choosing it by the
    /// since_version the index read off each block's first line: for every
    /// version of every operator, looking it up at its own opset, on a
    /// fresh registry, gives the schema the full parse gives.
    @Test func aLookupAtEachSinceVersionGivesThatVersion() {
        for domain in registry.domains {
            let fresh = SchemaRegistry(addingDomains: [])
            for name in registry.operators(in: domain) {
                for version in registry.versions(of: name, domain: domain) {
                    let found = fresh.lookup(name, domain: domain, opset: version.sinceVersion).schema
                    #expect(found == version, "\(domain) \(name)-\(version.sinceVersion)")
                }
            }
        }
    }

    @Test func signaturesAttributesAndDefaults() throws {
        let split = try #require(registry.lookup("Split", domain: "", opset: 18).schema)
        #expect(split.inputs.map(\.name) == ["input", "split"])
        #expect(split.inputs.map(\.option) == [.single, .optional])
        #expect(split.outputs.first?.option == .variadic && split.maxOutputs == Int(Int32.max))
        #expect(split.attribute("axis")?.defaultValue == .int(0))
        #expect(split.attribute("num_outputs")?.defaultValue == nil && split.attribute("num_outputs")?.isRequired == false)
        #expect(split.typeConstraints.first?.parameter == "T")
        let leaky = try #require(registry.lookup("LeakyRelu", domain: "", opset: 16).schema)
        #expect(leaky.attribute("alpha")?.defaultValue == .float(0.01))
        #expect(leaky.attribute("alpha")?.defaultValue?.attribute(named: "alpha").f == Float(0.01))
        let cast = try #require(registry.lookup("Cast", domain: "", opset: 24).schema)
        #expect(cast.attribute("to")?.isRequired == true && cast.attribute("round_mode")?.defaultValue == .string("up"))
        let elu = try #require(registry.lookup("Elu", domain: "", opset: 22).schema)
        #expect(elu.functionBody(forOpset: 22)?.text.contains("Elu <alpha>(X) => (Y)") == true)
    }

    /// Every schema as the pinned onnx reports it: signature, attributes,
    /// constraints, counts and functions, field by field.
    @Test func everySchemaAgreesWithOnnx() throws {
        let script = """
            import json, onnx
            from onnx import defs, AttributeProto
            def text(flag): return "true" if flag else "false"
            def param(p):
                return [p.name, p.type_str, str(p.option).split(".")[-1].lower(), text(p.is_homogeneous), str(p.min_arity)]
            for s in defs.get_all_schemas_with_history():
                print(json.dumps([s.domain, s.name, s.since_version, s.deprecated, s.min_input, s.max_input,
                    s.min_output, s.max_output,
                    [param(p) for p in s.inputs], [param(p) for p in s.outputs],
                    sorted([n, AttributeProto.AttributeType.Name(int(a.type.value)), text(a.required),
                            text(a.default_value.type != 0)] for n, a in s.attributes.items()),
                    [[c.type_param_str, list(c.allowed_type_strs)] for c in s.type_constraints],
                    sorted(s.function_opset_versions), s.has_context_dependent_function]))
            """
        let run = try PythonOracle.run(script)
        try #require(run.status == 0, "\(run.err)")
        var mine: [String: OpSchema] = [:]
        for schema in registry.allSchemas { mine["\(schema.domain)/\(schema.name)/\(schema.sinceVersion)"] = schema }
        var compared = 0
        for line in run.out.split(separator: "\n") {
            let f = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any])
            let key = "\(f[0])/\(f[1])/\(f[2])"
            let schema = try #require(mine[key], "missing \(key)")
            func parameters(_ list: [OpSchema.Parameter]) -> [[String]] {
                list.map { [$0.name, $0.typeString, $0.option.rawValue, "\($0.isHomogeneous)", "\($0.minimumArity)"] }
            }
            func strings(_ value: Any) -> [[String]] { value as? [[String]] ?? [] }
            #expect(schema.isDeprecated == (f[3] as? Bool), "\(key)")
            #expect([schema.minInputs, schema.maxInputs, schema.minOutputs, schema.maxOutputs] == f[4...7].map { $0 as? Int }, "\(key)")
            #expect(parameters(schema.inputs) == strings(f[8]), "\(key) inputs")
            #expect(parameters(schema.outputs) == strings(f[9]), "\(key) outputs")
            let attributes = schema.attributes.map { [$0.name, $0.type.description, "\($0.isRequired)", "\($0.defaultValue != nil)"] }
            #expect(attributes == strings(f[10]), "\(key) attributes")
            let constraints = (f[11] as? [[Any]] ?? []).map { "\($0[0]):\(($0[1] as? [String] ?? []).joined(separator: ","))" }
            #expect(schema.typeConstraints.map { "\($0.parameter):\($0.allowedTypes.joined(separator: ","))" } == constraints, "\(key)")
            #expect(schema.functionBodies.map { Int($0.opset) } == (f[12] as? [Int]), "\(key) functions")
            #expect(schema.hasContextDependentFunction == (f[13] as? Bool), "\(key)")
            compared += 1
        }
        #expect(compared == 659 && mine.count == 659)
    }
}
