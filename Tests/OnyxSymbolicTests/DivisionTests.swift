import OnyxSymbolic
import Testing

/// Floor division and modulo by constants, with Python's rounding.
@Suite struct DivisionTests {
    /// ONNX's Conv output: ⌊(H + pads − dilation·(k − 1) − 1)/stride⌋ + 1.
    func convOutput(
        _ input: SymbolicDim, pad: Int64, kernel: Int64, stride: Int64, dilation: Int64 = 1, ceilMode: Bool = false
    ) throws -> SymbolicDim {
        let span = try input + 2 * pad - dilation * (kernel - 1) - 1
        let steps = ceilMode ? try SymbolicDim.ceilDiv(span, stride) : try SymbolicDim.floorDiv(span, stride)
        return try steps + 1
    }

    @Test func sameConvKeepsTheDim() throws {
        #expect(try SymbolicDim.floorDiv(h + 2 * 1 - 3, 1) + 1 == h)
        #expect(try convOutput(h, pad: 1, kernel: 3, stride: 1) == h)
        #expect(try convOutput(h, pad: 2, kernel: 5, stride: 1) == h)
    }

    @Test func stridedConvSimplifiesAndEvaluates() throws {
        let halved = try convOutput(h, pad: 1, kernel: 3, stride: 2)
        #expect(try halved == SymbolicDim.ceilDiv(h, 2))
        #expect(halved.description == "ceil(H/2)")
        let valid = try convOutput(h, pad: 0, kernel: 3, stride: 2)
        #expect(valid.description == "ceil(H/2) - 1")
        let dilated = try convOutput(h, pad: 0, kernel: 3, stride: 3, dilation: 2)
        let ceiled = try convOutput(h, pad: 0, kernel: 3, stride: 3, ceilMode: true)
        for size: Int64 in 5...40 {
            #expect(halved.evaluate(["H": size]) == (size + 2 - 2 - 1) / 2 + 1)
            #expect(dilated.evaluate(["H": size]) == (size - 4 - 1) / 3 + 1)
            #expect(ceiled.evaluate(["H": size]) == (size - 2 - 1 + 2) / 3 + 1)
        }
    }

    @Test func multiplesOfTheDivisorComeOut() throws {
        #expect(try SymbolicDim.floorDiv(2 * n + 5, 2) == n + 2)
        #expect(try SymbolicDim.floorDiv(4 * n + m, 4) == n + SymbolicDim.floorDiv(m, 4))
        #expect(try SymbolicDim.mod(4 * n + 5, 4).constant == 1)
        #expect(try SymbolicDim.mod(4 * n + m, 4) == SymbolicDim.mod(m, 4))
        #expect(try SymbolicDim.mod(5 * n, 4) == SymbolicDim.mod(n, 4))
    }

    @Test func divisionByOneIsTheIdentity() throws {
        #expect(try SymbolicDim.floorDiv(n * m, 1) == n * m)
        #expect(try SymbolicDim.ceilDiv(n, 1) == n)
        #expect(try SymbolicDim.mod(n * m, 1).constant == 0)
    }

    @Test func nestedFloorsMultiplyTheirDivisors() throws {
        #expect(try SymbolicDim.floorDiv(SymbolicDim.floorDiv(n, 2), 3) == SymbolicDim.floorDiv(n, 6))
        #expect(try SymbolicDim.floorDiv(SymbolicDim.floorDiv(n + 1, 2) + 1, 3) == SymbolicDim.floorDiv(n + 3, 6))
    }

    @Test func signsAndCommonFactorsNormalise() throws {
        #expect(try SymbolicDim.floorDiv(-n, 2) == -SymbolicDim.ceilDiv(n, 2))
        #expect(try SymbolicDim.floorDiv(-n, 2).description == "-ceil(N/2)")
        #expect(try SymbolicDim.floorDiv(n, -2) == SymbolicDim.floorDiv(-n, 2))
        #expect(try SymbolicDim.mod(n, -3) == -SymbolicDim.mod(-n, 3))
        #expect(try SymbolicDim.floorDiv(2 * n + 2, 4) == SymbolicDim.floorDiv(n + 1, 2))
        #expect(try SymbolicDim.mod(2 * n, 4).description == "2*mod(N, 2)")
    }

    @Test func constantsFoldWithFloorRounding() throws {
        #expect(try SymbolicDim.floorDiv(SymbolicDim(-7), 2).constant == -4)
        #expect(try SymbolicDim.ceilDiv(SymbolicDim(-7), 2).constant == -3)
        #expect(try SymbolicDim.mod(SymbolicDim(-7), 3).constant == 2)
        #expect(try SymbolicDim.mod(SymbolicDim(7), -3).constant == -2)
    }

    @Test func onlyNonZeroConstantDivisors() throws {
        #expect(throws: SymbolicError.divisionByZero) { try SymbolicDim.floorDiv(n, 0) }
        #expect(throws: SymbolicError.divisionByZero) { try SymbolicDim.mod(n, SymbolicDim(0)) }
        #expect(throws: SymbolicError.nonConstantDivisor(m)) { try SymbolicDim.floorDiv(n, m) }
        #expect(try SymbolicDim.floorDiv(n, SymbolicDim(3)) == SymbolicDim.floorDiv(n, 3))
    }

    @Test func printedForms() throws {
        #expect(try SymbolicDim.floorDiv(n, 3).description == "floor(N/3)")
        #expect(try SymbolicDim.floorDiv(2 * h, 3).description == "floor(2*H/3)")
        #expect(try SymbolicDim.mod(n, 4).description == "mod(N, 4)")
        #expect(try SymbolicDim.mod(3 * n + 6, 4).description == "mod(3*N + 2, 4)")
        #expect(try (SymbolicDim.floorDiv(h + 1, 3) + 1).description == "floor((H + 1)/3) + 1")
    }
}
