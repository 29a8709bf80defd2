extension SymbolicDim {
    /// The dim a `dim_param` string spells, canonicalised; any string that
    /// is not an expression becomes one opaque symbol named by the exact
    /// string.
    ///
    /// The syntax, which ``description`` writes:
    ///
    /// ```
    /// expression := term (('+' | '-') term)*
    /// term       := factor (('*' | '//') factor)*        // '//' is floor division
    /// factor     := '-' factor | primary                 // a '-' before a literal is part of it
    /// primary    := integer | name | '(' expression ')'
    ///             | ('floor' | 'ceil') '(' term '/' factor ')'
    ///             | 'mod' '(' expression ',' expression ')'
    ///             | ('min' | 'max') '(' expression (',' expression)* ')'
    /// name       := identifier | '"' (any character but '"' and '\', or '\' and any character)* '"'
    /// identifier := (letter | '_' | non-ASCII) (letter | digit | '_' | '.' | non-ASCII)*
    /// integer    := digit+                               // within ±(2^63 - 1)
    /// ```
    ///
    /// Letters and digits are ASCII; spaces, tabs and newlines between
    /// tokens are ignored. `floor`, `ceil`, `mod`, `min` and `max` are
    /// functions only when `(` follows, otherwise symbols. `/` appears only
    /// inside `floor` and `ceil`, and every divisor must come out constant.
    /// A number such as `3` is not a valid `dim_param` in ONNX, but it
    /// parses as the constant 3.
    ///
    /// Text that does not match, or that the engine cannot represent
    /// (overflow, over `budget`, a divisor that is not constant), becomes
    /// the symbol `SymbolicDim(symbol: text)`: `batch size`, `2x`, `N-`,
    /// `?` and the empty string are each one symbol. So that files stay
    /// as they were, `SymbolicDim(parsing: s).description == s` whenever
    /// `s` is an identifier, is not an expression, or is an expression
    /// printed canonically; an expression written otherwise (`N*2`,
    /// `sequence_length + past`) reads as its canonical form (`2*N`,
    /// `past + sequence_length`). For every dim `d`,
    /// `SymbolicDim(parsing: d.description) == d` under the standard budget.
    public init(parsing text: String, budget: SymbolicBudget = .standard) {
        self = ExpressionParser.parse(text, budget: budget) ?? SymbolicDim(symbol: text)
    }
}
