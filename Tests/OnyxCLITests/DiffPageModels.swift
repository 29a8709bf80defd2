import OnyxIR
import OnyxTestSupport

/// Model pairs for the diff page's tests, in the ONNX textual syntax.
enum DiffPageModels {
    /// A chain x → n0 → … → n(count-1) → Identity → y: LeakyRelu, Abs and
    /// Sigmoid in turn (so that neighbours differ), `count` + 1 nodes. With
    /// `insertedBefore`, a Neg named 'inserted' comes just before that node;
    /// `alphaChanged` gives those LeakyRelus (positions divisible by 3)
    /// alpha 0.5 instead of 0.1.
    static func chain(_ count: Int, insertedBefore: Int? = nil, alphaChanged: (Int) -> Bool = { _ in false }) throws -> Model {
        var lines: [String] = []
        var previous = "x"
        for index in 0..<count {
            if index == insertedBefore {
                lines.append("[inserted] ins = Neg (\(previous))")
                previous = "ins"
            }
            switch index % 3 {
            case 0: lines.append("[n\(index)] v\(index) = LeakyRelu <alpha: float = \(alphaChanged(index) ? "0.5" : "0.1")> (\(previous))")
            case 1: lines.append("[n\(index)] v\(index) = Abs (\(previous))")
            default: lines.append("[n\(index)] v\(index) = Sigmoid (\(previous))")
            }
            previous = "v\(index)"
        }
        lines.append("y = Identity (\(previous))")
        return try TestModels.graph("chain (float[N,4] x) => (float[N,4] y) {\n" + lines.joined(separator: "\n") + "\n}", opset: 17)
    }

    /// x → Gemm 'fc1' (reading the 2×4 initializer `weight`, and `bias`) →
    /// Relu → Softmax. `perturbed` sets element [0, 2] to 3.5 instead of 3.
    static func gemm(weight: String = "weight", perturbed: Bool = false) throws -> Model {
        let values = ["1.0", "2.0", perturbed ? "3.5" : "3.0", "4.0", "5.0", "6.0", "7.0", "8.0"].joined(separator: ", ")
        return try TestModels.graph(
            """
            mlp (float[N,4] x) => (float[N,2] y)
               <float[2,4] "\(weight)" = {\(values)}, float[2] bias = {0.5, -0.5}>
            {
               [fc1] h = Gemm <transB: int = 1> (x, "\(weight)", bias)
               [relu] r = Relu (h)
               [softmax] y = Softmax <axis: int = -1> (r)
            }
            """, opset: 17)
    }

    /// An If, a Loop and a call of the model-local function local.Square.
    /// `changed` replaces the If's then-branch Relu by a LeakyRelu, the
    /// Loop body's Sigmoid by a Tanh, and the function's Mul by an Add.
    static func controlFlow(changed: Bool) throws -> Model {
        try TestModels.model(
            """
            <ir_version: 8, opset_import: ["" : 17, "local" : 1]>
            ctrl (bool c, float[2] x, int64 trips) => (float[2] out)
            {
               [pre] p = Abs (x)
               [branch] y = If (c) <then_branch: graph = then_g () => (float[2] t) { [inner] t = \(changed ? "LeakyRelu" : "Relu") (p) },
                                    else_branch: graph = else_g () => (float[2] e) { [inner2] e = Neg (p) }>
               [call] z = local.Square (y)
               [repeat] out = Loop (trips, c, z) <body: graph = body_g (int64 i, bool cond_in, float[2] v_in) => (bool cond_out, float[2] v_out) {
                  [keep] cond_out = Identity (cond_in)
                  [step] v_out = \(changed ? "Tanh" : "Sigmoid") (v_in)
               }>
            }
            <domain: "local", opset_import: ["" : 17]>
            Square (a) => (b)
            {
               b = \(changed ? "Add" : "Mul") (a, a)
            }
            """)
    }
}
