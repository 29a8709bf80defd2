import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// The ai.onnx.preview.training optimizers on one-node models: single
/// steps worked out by hand from the spec's update rules.
@Suite struct TrainingKernelTests {
    /// Runs `body` (a graph of training ops) with `feeds`; every output's
    /// values.
    private func run(_ body: String, _ feeds: [String: DenseTensor]) throws -> [[Double]] {
        let model = try TestModels.model(
            "<ir_version: 10, opset_import: [\"\" : 21, \"ai.onnx.preview.training\" : 1]>\n" + body)
        return try ModelRunner(model).run(feeds).map { try #require($0.tensor?.numericValues) }
    }

    private func close(_ a: [[Double]], _ b: [[Double]]) -> Bool {
        a.count == b.count
            && zip(a, b).allSatisfy { x, y in x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) } }
    }

    private let rate = DenseTensor([0.1] as [Float], shape: [])
    private func step(_ t: Int64) -> DenseTensor { DenseTensor([t], shape: []) }

    @Test func adagradOverTwoTensors() throws {
        // decay 0.5 at T = 2: rate 0.1 / (1 + 2 · 0.5) = 0.05. X1 = 2, G1 = 1:
        // g = 0.5 · 2 + 1 = 2, H = 5 + 4 = 9, X = 2 - 0.05 · 2 / 3. X2 = [1, -2],
        // G2 = [3, 0]: g = [3.5, -1], H = [0 + 12.25, 3 + 1] = [12.25, 4],
        // X = [1 - 0.05 · 3.5 / 3.5, -2 + 0.05 · 1 / 2] = [0.95, -1.975].
        let outputs = try run(
            """
            g (float r, int64 t, float[1] x1, float[2] x2, float[1] g1, float[2] g2, float[1] h1, float[2] h2)
                => (float[1] x1n, float[2] x2n, float[1] h1n, float[2] h2n) {
                x1n, x2n, h1n, h2n = ai.onnx.preview.training.Adagrad <decay_factor = 0.5, norm_coefficient = 0.5, epsilon = 0.0>
                    (r, t, x1, x2, g1, g2, h1, h2)
            }
            """,
            [
                "r": rate, "t": step(2), "x1": DenseTensor([2] as [Float]), "x2": DenseTensor([1, -2] as [Float]),
                "g1": DenseTensor([1] as [Float]), "g2": DenseTensor([3, 0] as [Float]), "h1": DenseTensor([5] as [Float]),
                "h2": DenseTensor([0, 3] as [Float]),
            ])
        #expect(close(outputs, [[2 - 0.1 / 3], [0.95, -1.975], [9], [12.25, 4]]))
    }

    @Test func adagradDefaultsKeepEpsilon() throws {
        // No attributes: no decay, no regularization, epsilon 1e-6.
        // H = 0 + 4, X = 1 - 0.1 · 2 / (2 + 1e-6).
        let outputs = try run(
            """
            g (double r, int64 t, double[1] x, double[1] gr, double[1] h) => (double[1] xn, double[1] hn) {
                xn, hn = ai.onnx.preview.training.Adagrad (r, t, x, gr, h)
            }
            """,
            [
                "r": DenseTensor(shape: [], elements: .double([0.1])), "t": step(7),
                "x": DenseTensor(shape: [1], elements: .double([1])), "gr": DenseTensor(shape: [1], elements: .double([2])),
                "h": DenseTensor(shape: [1], elements: .double([0])),
            ])
        #expect(outputs[0][0] == 1 - 0.1 * 2 / (2 + Double(Float(1e-6))))
        #expect(outputs[1] == [4])
    }

    @Test func adamWithBiasCorrectionAndPostRegularization() throws {
        // alpha 0.5, beta 0.75, T = 1: rate 0.1 · √(1 - 0.75) / (1 - 0.5) = 0.1.
        // X1 = 1, G1 = 1, norm 1: g = 2, V = 0.5 · 0 + 0.5 · 2 = 1,
        // H = 0.25 · 4 = 1, X = (1 - 0.1 · 1 / 1) · (1 - 0.5) = 0.45.
        // X2 = [2, 0], G2 = [-2, 4]: g = [0, 4], V = [0.5 · 2, 2] = [1, 2],
        // H = [0.75 · 4, 0.25 · 16] = [3, 4], X = [(2 - 0.1 / √3) · 0.5, (0 - 0.1) · 0.5].
        let outputs = try run(
            """
            g (float r, int64 t, float[1] x1, float[2] x2, float[1] g1, float[2] g2, float[1] v1, float[2] v2,
               float[1] h1, float[2] h2) => (float[1] x1n, float[2] x2n, float[1] v1n, float[2] v2n, float[1] h1n, float[2] h2n) {
                x1n, x2n, v1n, v2n, h1n, h2n = ai.onnx.preview.training.Adam
                    <alpha = 0.5, beta = 0.75, norm_coefficient = 1.0, norm_coefficient_post = 0.5, epsilon = 0.0>
                    (r, t, x1, x2, g1, g2, v1, v2, h1, h2)
            }
            """,
            [
                "r": rate, "t": step(1), "x1": DenseTensor([1] as [Float]), "x2": DenseTensor([2, 0] as [Float]),
                "g1": DenseTensor([1] as [Float]), "g2": DenseTensor([-2, 4] as [Float]), "v1": DenseTensor([0] as [Float]),
                "v2": DenseTensor([2, 0] as [Float]), "h1": DenseTensor([0] as [Float]), "h2": DenseTensor([4, 0] as [Float]),
            ])
        let r = Double(Float(0.1))
        #expect(close(outputs, [[0.45], [(2 - r / 3.0.squareRoot()) * 0.5, -0.05], [1], [1, 2], [1], [3, 4]]))
    }

    @Test func adamFirstStepHasNoBiasCorrection() throws {
        // T = 0: the rate is R itself. g = 2, V = 1, H = 1, X = 1 - 0.1.
        let outputs = try run(
            """
            g (float r, int64 t, float[1] x, float[1] gr, float[1] v, float[1] h) => (float[1] xn, float[1] vn, float[1] hn) {
                xn, vn, hn = ai.onnx.preview.training.Adam <alpha = 0.5, beta = 0.75, epsilon = 0.0> (r, t, x, gr, v, h)
            }
            """,
            [
                "r": rate, "t": step(0), "x": DenseTensor([1] as [Float]), "gr": DenseTensor([2] as [Float]),
                "v": DenseTensor([0] as [Float]), "h": DenseTensor([0] as [Float]),
            ])
        #expect(close(outputs, [[0.9], [1], [1]]))
    }

    private func momentum(mode: String, t: Int64, x: Float) throws -> [[Double]] {
        try run(
            """
            g (float r, int64 t, float[1] x, float[1] gr, float[1] v) => (float[1] xn, float[1] vn) {
                xn, vn = ai.onnx.preview.training.Momentum <alpha = 0.5, beta = 0.25, norm_coefficient = 0.5, mode = "\(mode)">
                    (r, t, x, gr, v)
            }
            """,
            [
                "r": rate, "t": step(t), "x": DenseTensor([x]), "gr": DenseTensor([1 - x / 2]),
                "v": DenseTensor([4] as [Float]),
            ])
    }

    @Test func momentumStandardAndNesterov() throws {
        // G = 1 - X/2 makes g = 0.5 · X + G = 1 whatever X. T = 0: beta counts
        // as 1, V = 0.5 · 4 + 1 = 3, X = 1 - 0.1 · 3.
        #expect(close(try momentum(mode: "standard", t: 0, x: 1), [[0.7], [3]]))
        // T = 1: V = 2 + 0.25 · 1 = 2.25, X = 2 - 0.1 · 2.25.
        #expect(close(try momentum(mode: "standard", t: 1, x: 2), [[1.775], [2.25]]))
        // Nesterov: X = 2 - 0.1 · (g + 0.5 · V) = 2 - 0.1 · 2.125.
        #expect(close(try momentum(mode: "nesterov", t: 1, x: 2), [[1.7875], [2.25]]))
    }

    @Test func momentumOverTwoTensors() throws {
        // Each tensor on its own: X1 as above (T = 1, standard), X2 = [0, 10],
        // G2 = [2, 0], V2 = [0, 0]: g = [2, 5], V = [0.5, 1.25],
        // X = [-0.05, 10 - 0.125].
        let outputs = try run(
            """
            g (float r, int64 t, float[1] x1, float[2] x2, float[1] g1, float[2] g2, float[1] v1, float[2] v2)
                => (float[1] x1n, float[2] x2n, float[1] v1n, float[2] v2n) {
                x1n, x2n, v1n, v2n = ai.onnx.preview.training.Momentum
                    <alpha = 0.5, beta = 0.25, norm_coefficient = 0.5, mode = "standard"> (r, t, x1, x2, g1, g2, v1, v2)
            }
            """,
            [
                "r": rate, "t": step(1), "x1": DenseTensor([2] as [Float]), "x2": DenseTensor([0, 10] as [Float]),
                "g1": DenseTensor([0] as [Float]), "g2": DenseTensor([2, 0] as [Float]), "v1": DenseTensor([4] as [Float]),
                "v2": DenseTensor([0, 0] as [Float]),
            ])
        #expect(close(outputs, [[1.775], [-0.05, 9.875], [2.25], [0.5, 1.25]]))
    }

    @Test func badOptimizerInputsAreRefused() throws {
        let x = DenseTensor([1] as [Float]), pair = DenseTensor([1, 2] as [Float])
        // Four inputs: no whole group of X, G, H.
        #expect(throws: RuntimeError.self) {
            _ = try run(
                "g (float r, int64 t, float[1] x, float[1] gr) => (float[1] xn) { xn = ai.onnx.preview.training.Adagrad (r, t, x, gr) }",
                ["r": rate, "t": step(0), "x": x, "gr": x])
        }
        // A gradient of another shape than its tensor.
        #expect(throws: RuntimeError.self) {
            _ = try run(
                """
                g (float r, int64 t, float[1] x, float[2] gr, float[1] h) => (float[1] xn, float[1] hn) {
                    xn, hn = ai.onnx.preview.training.Adagrad (r, t, x, gr, h)
                }
                """, ["r": rate, "t": step(0), "x": x, "gr": pair, "h": x])
        }
        // T must be an int64 scalar, R a scalar.
        #expect(throws: RuntimeError.self) {
            _ = try run(
                """
                g (float r, int64[2] t, float[1] x, float[1] gr, float[1] h) => (float[1] xn, float[1] hn) {
                    xn, hn = ai.onnx.preview.training.Adagrad (r, t, x, gr, h)
                }
                """, ["r": rate, "t": DenseTensor([1, 2] as [Int64]), "x": x, "gr": x, "h": x])
        }
        #expect(throws: RuntimeError.self) {
            _ = try run(
                """
                g (float[2] r, int64 t, float[1] x, float[1] gr, float[1] h) => (float[1] xn, float[1] hn) {
                    xn, hn = ai.onnx.preview.training.Adagrad (r, t, x, gr, h)
                }
                """, ["r": pair, "t": step(0), "x": x, "gr": x, "h": x])
        }
    }

    @Test func momentumNeedsItsAttributesAndAKnownMode() throws {
        #expect(throws: RuntimeError.self) { _ = try momentum(mode: "heavy-ball", t: 1, x: 1) }
        let error = #expect(throws: RuntimeError.self) {
            _ = try run(
                """
                g (float r, int64 t, float[1] x, float[1] gr, float[1] v) => (float[1] xn, float[1] vn) {
                    xn, vn = ai.onnx.preview.training.Momentum <beta = 0.25, norm_coefficient = 0.5, mode = "standard"> (r, t, x, gr, v)
                }
                """, ["r": rate, "t": step(1), "x": DenseTensor([1] as [Float]), "gr": DenseTensor([1] as [Float]),
                      "v": DenseTensor([1] as [Float])])
        }
        #expect(error?.description.contains("alpha") == true)
    }
}
