import OnyxIR
import Testing

/// How readers resolve the names of a file: nested scopes, the first or
/// last definition winning, free values for names nothing defines.
@Suite struct NameScopeTests {
    @Test func anInnerScopeSeesItsOwnNamesFirstThenTheOuterOnes() {
        let outer = NameScope(parent: nil)
        let inner = NameScope(parent: outer)
        let x = Value(name: "x"), y = Value(name: "y"), innerX = Value(name: "x")
        outer.define(x)
        outer.define(y)
        inner.define(innerX)
        #expect(inner.lookup("x") === innerX)
        #expect(inner.lookup("y") === y)
        #expect(inner.lookupLocal("y") == nil)
        #expect(inner.lookup("z") == nil)
        #expect(outer.lookup("x") === x)
    }

    /// The lookup the binary import uses while linking: the same answers,
    /// without taking a reference.
    @Test func lookingUpWithoutRetainingFindsWhatLookupFinds() {
        let outer = NameScope(parent: nil)
        let inner = NameScope(parent: outer)
        let x = Value(name: "x"), y = Value(name: "y")
        outer.define(x)
        inner.define(y)
        for name in ["x", "y", "z", ""] {
            #expect(inner.lookupUnretained(name)?.takeUnretainedValue() === inner.lookup(name))
        }
        #expect(inner.lookupUnretained("x")?.takeUnretainedValue() === x)
        #expect(outer.lookupUnretained("y") == nil)
    }

    @Test func aLaterDefinitionWinsUnlessTheEarlierIsKept() {
        let scope = NameScope(parent: nil)
        let first = Value(name: "v"), second = Value(name: "v"), third = Value(name: "v")
        #expect(scope.define(first) == false)
        #expect(scope.define(second) == true)
        #expect(scope.lookup("v") === second)
        #expect(scope.define(third, keepExisting: true) == true)
        #expect(scope.lookup("v") === second)
    }

    /// A name nothing defines stands for one free value, shared by every
    /// reader in every scope below the root.
    @Test func anUndefinedNameResolvesToOneFreeValue() {
        let root = NameScope(parent: nil)
        let inner = NameScope(parent: root)
        let free = inner.resolve("w")
        #expect(free.name == "w")
        #expect(root.resolve("w") === free)
        #expect(inner.lookup("w") == nil)
    }
}
