import Foundation
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
        let folder = TemporaryDirectory()
        let made = try PythonOracle.run(
            """
            import sys, numpy as np
            folder, dtype, lengths = sys.argv[1], sys.argv[2], [int(n) for n in sys.argv[3:]]
            complex_type = np.complex64 if dtype == "float32" else np.complex128
            rng = np.random.default_rng(7)
            for n in lengths:
                x = (rng.standard_normal((3, n)) + 1j * rng.standard_normal((3, n))).astype(complex_type)
                for inverse in (0, 1):
                    y = (np.fft.ifft if inverse else np.fft.fft)(x, axis=1)
                    assert y.dtype == complex_type
                    for name, value in (("x", x), ("y", y)):
                        parts = np.stack((value.real, value.imag), axis=-1)
                        parts.tofile(f"{folder}/{n}-{inverse}-{name}.bin")
            """, [folder.url.path, dtype] + Self.lengths.map(String.init))
        try #require(made.status == 0, "\(made.err)")
        let type = dtype == "float32" ? "float" : "double"
        var mismatched: [String] = []
        for n in Self.lengths {
            for inverse in [0, 1] {
                func read(_ name: String) throws -> Data {
                    try Data(contentsOf: folder.url.appendingPathComponent("\(n)-\(inverse)-\(name).bin"))
                }
                let (x, y) = (try read("x"), try read("y"))
                let model = try TestModels.graph(
                    "g (\(type)[3,\(n),2] x) => (\(type)[3,\(n),2] y) { y = DFT<inverse=\(inverse)>(x) }", opset: 20)
                let input = dtype == "float32"
                    ? DenseTensor(shape: [3, n, 2], elements: .float(x.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }))
                    : DenseTensor(shape: [3, n, 2], elements: .double(x.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }))
                let output = try #require(try ModelRunner(model).run(["x": input]).first?.tensor)
                let got = output.numericValues ?? []
                let want: [Double] = dtype == "float32"
                    ? y.withUnsafeBytes { $0.bindMemory(to: Float.self).map(Double.init) }
                    : y.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
                // Bit for bit: equal values, and equal signs of zeros.
                if got.count != want.count || zip(got, want).contains(where: { $0.bitPattern != $1.bitPattern }) {
                    mismatched.append("n \(n) \(inverse == 1 ? "inverse" : "forward")")
                }
            }
        }
        #expect(mismatched.isEmpty, "\(mismatched.count) differ from numpy: \(mismatched.prefix(12).joined(separator: ", "))")
    }
}
