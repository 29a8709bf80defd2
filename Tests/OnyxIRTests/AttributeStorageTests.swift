import OnyxIR
import Testing

/// An attribute is a value: inline fields and boxed ones alike, a copy
/// changed never changes the attribute it was copied from.
@Suite struct AttributeStorageTests {
    @Test func aChangedCopyLeavesTheOriginalAsItWas() {
        let original = Attribute.ints("axes", [0, 1])
        var copy = original
        copy.ints.append(2)
        copy.name = "perm"
        copy.f = 0.5
        copy.s = Array("text".utf8)
        #expect(original.ints == [0, 1])
        #expect(original.name == "axes")
        #expect(original.f == nil)
        #expect(original.s == nil)
        #expect(copy.ints == [0, 1, 2])
        #expect(copy.setValueFields == [.float, .string, .ints])
    }

    @Test func aCopyOfAScalarAttributeGainsListsOfItsOwn() {
        let original = Attribute.float("alpha", 0.2)
        var copy = original
        copy.floats = [1, 2]
        copy.docString = "doc"
        #expect(original.floats.isEmpty)
        #expect(original.docString == nil)
        #expect(original.setValueFields == [.float])
        #expect(copy.setValueFields == [.float, .floats])
    }

    /// Clearing a field that was never set changes nothing, and a field set
    /// and cleared again reads as unset.
    @Test func clearedFieldsReadAsUnset() {
        var attribute = Attribute(name: "value", type: .tensor)
        attribute.t = nil
        attribute.g = nil
        #expect(attribute.setValueFields.isEmpty)
        #expect(!attribute.holdsSubgraphs)
        attribute.g = Graph(name: "body")
        #expect(attribute.holdsSubgraphs)
        #expect(attribute.setValueFields == [.graph])
        attribute.g = nil
        #expect(!attribute.holdsSubgraphs)
        #expect(attribute.setValueFields.isEmpty)
    }

    @Test func theTypedValueReadsTheInlineAndTheBoxedFields() {
        guard case .int(let axis) = Attribute.int("axis", -1).value else { Issue.record("not an int"); return }
        #expect(axis == -1)
        guard case .string(let mode) = Attribute.string("mode", "linear").value else { Issue.record("not a string"); return }
        #expect(mode == Array("linear".utf8))
    }
}
