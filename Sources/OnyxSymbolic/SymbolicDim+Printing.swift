/// The text form, which ``SymbolicDim/init(parsing:budget:)`` reads back
/// to an equal dim.
extension SymbolicDim: CustomStringConvertible {
    /// The expression in the text syntax (grammar at
    /// ``init(parsing:budget:)``), written in its canonical order: terms of
    /// higher degree first, then by symbol name, then floor, mod, min and
    /// max; the constant last. For example `M + 2*N - 1`, `M*N`,
    /// `floor((H + 1)/3) + 1`, `mod(N, 4)`, `min(N, 8)`, `max(M, N)`.
    ///
    /// Only `floor` is stored, its constant reduced into `0 ..< c`
    /// (`floor((H - 1)/2) + 1` is `floor((H + 1)/2)`); a
    /// `floor((x + c - 1)/c)` prints as the shorter `ceil(x/c)`, so that one
    /// is written `ceil(H/2)`. A name that is not an identifier is quoted
    /// inside an expression, but a dim that is one such symbol prints as
    /// the bare name whenever that text would not parse as anything else,
    /// so that a `dim_param` like `batch size` reads back unchanged.
    public var description: String {
        if let name = symbolName,
            SymbolName.isIdentifier(name) || ExpressionParser.parse(name, budget: .standard) == nil
        {
            return name
        }
        var text = ""
        write(to: &text)
        return text
    }

    fileprivate func write(to text: inout String) {
        if terms.isEmpty {
            text += String(offset)
            return
        }
        for (index, term) in terms.enumerated() {
            let magnitude = term.coefficient.magnitude
            if index == 0 {
                if term.coefficient < 0 { text += "-" }
            } else {
                text += term.coefficient < 0 ? " - " : " + "
            }
            if magnitude != 1 { text += "\(magnitude)*" }
            for (position, atom) in term.monomial.factors.enumerated() {
                if position > 0 { text += "*" }
                atom.write(to: &text)
            }
        }
        if offset != 0 { text += (offset < 0 ? " - " : " + ") + String(offset.magnitude) }
    }

    /// The dividend of `floor(…/c)`: bare when it is one term, so that
    /// `floor(2*H/3)` reads as it prints, otherwise in parentheses.
    fileprivate func writeDividend(to text: inout String) {
        if terms.count == 1, offset == 0 {
            write(to: &text)
        } else {
            text += "("
            write(to: &text)
            text += ")"
        }
    }
}

extension Atom {
    fileprivate func write(to text: inout String) {
        switch self {
        case .symbol(let name):
            text += SymbolName.spelling(name)
        case .floorDiv(let x, let divisor) where x.offset == divisor - 1:
            text += "ceil("
            SymbolicDim(terms: x.terms, offset: 0).writeDividend(to: &text)
            text += "/\(divisor))"
        case .floorDiv(let x, let divisor):
            text += "floor("
            x.writeDividend(to: &text)
            text += "/\(divisor))"
        case .mod(let x, let divisor):
            text += "mod("
            x.write(to: &text)
            text += ", \(divisor))"
        case .min(let arguments), .max(let arguments):
            if case .min = self { text += "min(" } else { text += "max(" }
            for (index, argument) in arguments.enumerated() {
                if index > 0 { text += ", " }
                argument.write(to: &text)
            }
            text += ")"
        }
    }
}
