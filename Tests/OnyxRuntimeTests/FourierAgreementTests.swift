import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// DFT gives numpy's `np.fft.fft` and `np.fft.ifft` bit for bit, on float32
/// data (numpy 2 runs ifft of complex64 in single precision, fft in double)
/// and float64, over
/// lengths that reach every pass of the transform: 1 to 40 (the radix-2, 3,
/// 4, 5, 7 and 8 butterflies, alone and mixed), 11, 13, 17 and 169 (the
/// general pass), 121 (radix 11 with twiddles), 97 (a prime the passes
/// take) and 1,009 and 2,003 (primes for Bluestein's algorithm). The pinned
/// onnx's numpy is the oracle.
@Suite struct FourierAgreementTests {
    static let lengths = Array(1...40) + [48, 64, 97, 121, 169, 210, 256, 289, 1009, 2003]

    @Test(arguments: ["float32", "float64"])
    func everyLengthMatchesNumpyBitForBit(dtype: String) throws {
        // One line per case: "n inverse", then the input's and numpy's
        // output's parts as hexadecimal bit patterns.
        let made = try PythonOracle.run(
            """
            import sys, numpy as np
            dtype, lengths = sys.argv[1], [int(n) for n in sys.argv[2:]]
            complex_type, bits = (np.complex64, np.uint32) if dtype == "float32" else (np.complex128, np.uint64)
            rng = np.random.default_rng(7)
            def hexes(value):
                parts = np.stack((value.real, value.imag), axis=-1).ravel()
                return " ".join(format(int(b), "x") for b in parts.view(bits))
            for n in lengths:
                x = (rng.standard_normal((3, n)) + 1j * rng.standard_normal((3, n))).astype(complex_type)
                for inverse in (0, 1):
                    y = (np.fft.ifft if inverse else np.fft.fft)(x, axis=1)
                    assert y.dtype == complex_type
                    print(n, inverse, ";", hexes(x), ";", hexes(y))
            """, [dtype] + Self.lengths.map(String.init))
        try #require(made.status == 0, "\(made.err)")
        let type = dtype == "float32" ? "float" : "double"
        let lines = made.out.split(separator: "\n")
        #expect(lines.count == 2 * Self.lengths.count)
        var mismatched: [String] = []
        for line in lines {
            let fields = line.split(separator: ";")
            let head = fields[0].split(separator: " ").compactMap { Int($0) }
            let (n, inverse) = (head[0], head[1])
            func bits(_ field: Substring) -> [UInt64] { field.split(separator: " ").compactMap { UInt64($0, radix: 16) } }
            let (x, y) = (bits(fields[1]), bits(fields[2]))
            let model = try TestModels.graph(
                "g (\(type)[3,\(n),2] x) => (\(type)[3,\(n),2] y) { y = DFT<inverse=\(inverse)>(x) }", opset: 20)
            let input = dtype == "float32"
                ? DenseTensor(shape: [3, n, 2], elements: .float(x.map { Float(bitPattern: UInt32($0)) }))
                : DenseTensor(shape: [3, n, 2], elements: .double(x.map { Double(bitPattern: $0) }))
            let output = try #require(try ModelRunner(model).run(["x": input]).first?.tensor)
            let got = output.numericValues ?? []
            let want = dtype == "float32" ? y.map { Double(Float(bitPattern: UInt32($0))) } : y.map { Double(bitPattern: $0) }
            // Bit for bit: equal values, and equal signs of zeros.
            if got.count != want.count || zip(got, want).contains(where: { $0.bitPattern != $1.bitPattern }) {
                mismatched.append("n \(n) \(inverse == 1 ? "inverse" : "forward")")
            }
        }
        #expect(mismatched.isEmpty, "\(mismatched.count) differ from numpy: \(mismatched.prefix(12).joined(separator: ", "))")
    }
}
