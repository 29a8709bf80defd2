import OnyxSymbolic

/// RNN, GRU and LSTM: the sequence of hidden states (`Y`) and the last
/// hidden (and cell) state, shaped by `direction`, `hidden_size` and, from
/// opset 14, `layout` (batch first).
enum RecurrentRules {
    static let rules: [InferenceRule] = [InferenceRule(["RNN", "GRU", "LSTM"], recurrent)]

    private static func recurrent(_ context: inout InferenceContext) {
        guard let input = context.inputShape(0), input.rank == 3 else { return }
        let batchFirst = (context.intAttribute("layout") ?? 0) == 1
        let (sequence, batch) = batchFirst ? (input.dims[1], input.dims[0]) : (input.dims[0], input.dims[1])
        let direction = context.stringAttribute("direction") ?? "forward"
        let directions = SymbolicDim(direction == "bidirectional" ? 2 : 1)
        let hidden = context.intAttribute("hidden_size").map { SymbolicDim($0) }
        // Opset 1 had `output_sequence`, which could leave Y out; its shape is inferred from opset 7 on.
        if context.opset >= 7 {
            context.setOutputShape(0, SymbolicShape(batchFirst ? [batch, sequence, directions, hidden] : [sequence, directions, batch, hidden]))
        }
        let state = SymbolicShape(batchFirst ? [batch, directions, hidden] : [directions, batch, hidden])
        // A node may list fewer outputs than Y, Y_h and Y_c (or none).
        for output in context.outputTypes.indices.dropFirst() { context.setOutputShape(output, state) }
    }
}
