import Foundation
import OnyxIR
import OnyxONNX
import Testing

/// Crafted files that nest subgraphs or types without end are refused, not
/// a stack overflow.
@Suite struct NestingTests {
    // Test input is built by hand on the wire: the point is bytes no
    // well-behaved writer produces.
    func varint(_ value: Int) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        repeat {
            let byte = UInt8(value & 0x7F)
            value >>= 7
            out.append(value == 0 ? byte : byte | 0x80)
        } while value != 0
        return out
    }

    func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] { varint(number << 3 | 2) + varint(payload.count) + payload }

    /// ModelProto { ir_version: 8, graph: G }, G nesting If branches `depth`
    /// deep. Each level ends with the level inside it, so the file is the
    /// levels' prefixes, outermost first: sizes are worked out inside out.
    func nestedGraphs(_ depth: Int) -> [UInt8] {
        let opType = field(4, Array("If".utf8))
        let attributeHead = field(1, Array("then_branch".utf8)) + varint(20 << 3) + varint(5)
        var prefixes: [[UInt8]] = []
        var inner = 0  // size of the graph one level in
        for _ in 0..<depth {
            let attributeSize = attributeHead.count + varint(6 << 3 | 2).count + varint(inner).count + inner
            let nodeSize = opType.count + varint(5 << 3 | 2).count + varint(attributeSize).count + attributeSize
            prefixes.append(
                varint(1 << 3 | 2) + varint(nodeSize) + opType + varint(5 << 3 | 2) + varint(attributeSize) + attributeHead
                    + varint(6 << 3 | 2) + varint(inner))
            inner = varint(1 << 3 | 2).count + varint(nodeSize).count + nodeSize
        }
        return varint(1 << 3) + varint(8) + varint(7 << 3 | 2) + varint(inner) + prefixes.reversed().flatMap { $0 }
    }

    /// A graph input whose type is seq(seq(…(tensor)…)) `depth` deep, built
    /// the same way (each level ends with the one inside it).
    func nestedTypes(_ depth: Int) -> [UInt8] {
        let tensor = field(1, varint(1 << 3) + varint(1))  // tensor_type { elem_type: FLOAT }
        var prefixes: [[UInt8]] = []
        var inner = tensor.count
        for _ in 0..<depth {  // TypeProto { sequence_type { elem_type: inner } }
            let sequenceSize = varint(1 << 3 | 2).count + varint(inner).count + inner
            prefixes.append(varint(4 << 3 | 2) + varint(sequenceSize) + varint(1 << 3 | 2) + varint(inner))
            inner = varint(4 << 3 | 2).count + varint(sequenceSize).count + sequenceSize
        }
        let name = field(1, Array("x".utf8))
        let inputSize = name.count + varint(2 << 3 | 2).count + varint(inner).count + inner
        let graphSize = varint(11 << 3 | 2).count + varint(inputSize).count + inputSize
        return varint(1 << 3) + varint(8) + varint(7 << 3 | 2) + varint(graphSize) + varint(11 << 3 | 2) + varint(inputSize)
            + name + varint(2 << 3 | 2) + varint(inner) + prefixes.reversed().flatMap { $0 } + tensor
    }

    @Test func realisticNestingLoads() throws {
        let model = try ModelDecoder.decode(nestedGraphs(20))
        #expect(model.graph?.allNodes.count == 20)
        _ = try ModelDecoder.decode(nestedTypes(20))
    }

    @Test(arguments: [100, 5_000, 200_000]) func deepSubgraphsAreRefused(depth: Int) {
        #expect {
            try ModelDecoder.decode(nestedGraphs(depth))
        } throws: { error in
            guard let refusal = error as? ONNXError else { return false }
            return refusal.kind == .budget && refusal.diagnostic.rule == "budget.nesting"
                && "\(refusal.diagnostic.location.path)".hasPrefix("graph › node 0 (If) › attribute 'then_branch' › graph › node 0 (If)")
                && refusal.message
                    == "subgraphs nest this deep: 65 is over the nesting budget of 64 (levels of nested subgraphs, types and values)"
        }
    }

    @Test func aRaisedNestingBudgetReadsDeeperModels() throws {
        var budgets = Budgets.standard
        budgets[.nesting] = 150
        let model = try Budgets.$current.withValue(budgets) { try ModelDecoder.decode(nestedGraphs(100)) }
        #expect(model.graph?.allNodes.count == 100)
    }

    @Test(arguments: [100, 200_000]) func deepTypesAreRefused(depth: Int) {
        #expect {
            try ModelDecoder.decode(nestedTypes(depth))
        } throws: { error in
            (error as? ONNXError)?.message == "types nest this deep: 65 is over the nesting budget of 64 "
                + "(levels of nested subgraphs, types and values)"
                && (error as? ONNXError)?.diagnostic.location.path == IRPath([.graph(nil), .value("x")])
        }
    }
}
