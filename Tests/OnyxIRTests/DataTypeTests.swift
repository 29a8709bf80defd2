import OnyxIR
import Testing

@Suite struct DataTypeTests {
    @Test func allTwentyEightTypesHaveNamesAndWidths() {
        #expect(DataType.allKnown.count == 29)  // UNDEFINED plus 28 types
        #expect(DataType.float6e3m2.rawValue == 28)
        #expect(DataType.float6e3m2.name == "FLOAT6E3M2")
        #expect(DataType.float6e3m2.bitWidth == 6)
        #expect(DataType.int2.bitWidth == 2)
        #expect(DataType.float4e2m1.bitWidth == 4)
        #expect(DataType.complex128.bitWidth == 128)
        #expect(DataType.string.bitWidth == nil)
        #expect(DataType.bfloat16.name == "BFLOAT16")
        for type in DataType.allKnown { #expect(DataType(name: type.name) == type) }
    }

    @Test func unknownCodesSurvive() {
        let future = DataType(rawValue: 99)
        #expect(!future.isKnown)
        #expect(future.name == "DATATYPE(99)")
        #expect(future.bitWidth == nil)
    }

    @Test func shapesAndTypesPrint() {
        let shape = Shape([Dimension(.symbol("N")), Dimension(.value(3)), Dimension(.unknown)])
        #expect(shape.description == "[N,3,?]")
        #expect(shape.staticSizes == nil)
        #expect(Shape(static: [2, 3]).staticSizes == [2, 3])
        #expect(TypeInfo.tensor(.float, shape).description == "tensor(FLOAT)[N,3,?]")
        #expect(TypeInfo(.sequence(.tensor(.int64, nil))).description == "seq(tensor(INT64))")
        #expect(TypeInfo(.map(keyType: .string, valueType: .tensor(.float, Shape([])))).description == "map(STRING, tensor(FLOAT)[])")
    }

    @Test func elementCountsGuardOverflow() {
        #expect(Tensor(name: nil, dataType: .float, dims: []).elementCount == 1)
        #expect(Tensor(name: nil, dataType: .float, dims: [2, 0, 5]).elementCount == 0)
        #expect(Tensor(name: nil, dataType: .float, dims: [-1]).elementCount == nil)
        #expect(Tensor(name: nil, dataType: .float, dims: [Int64.max, 4]).elementCount == nil)
    }
}
