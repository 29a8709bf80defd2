/// Recursive descent over the dim text syntax (grammar at
/// ``SymbolicDim/init(parsing:budget:)``), building canonical dims as it
/// goes, each step held to the budget.
struct ExpressionParser {
    /// Text that is not an expression, or one the engine cannot represent
    /// (overflow, over budget, a symbolic divisor). The caller makes it an
    /// opaque symbol either way.
    struct Failure: Error {}

    private let tokens: [Token]
    private let budget: SymbolicBudget
    private var position = 0
    private var depth = 0

    /// The dim `text` spells, or nil when it spells none.
    static func parse(_ text: String, budget: SymbolicBudget) -> SymbolicDim? {
        guard let tokens = ExpressionLexer.tokens(text), !tokens.isEmpty else { return nil }
        var parser = ExpressionParser(tokens: tokens, budget: budget)
        guard let dim = try? parser.expression(), parser.position == tokens.count else { return nil }
        return dim
    }

    private init(tokens: [Token], budget: SymbolicBudget) {
        self.tokens = tokens
        self.budget = budget
    }

    // MARK: - Grammar rules

    /// A sum is collected term by term and made canonical once: adding one
    /// term at a time would sort the sum again at every term.
    private mutating func expression() throws(Failure) -> SymbolicDim {
        let first = try term()
        guard let next = peek, next == .plus || next == .minus else { return first }
        var parts = first.parts
        while let next = peek, next == .plus || next == .minus {
            position += 1
            let right = try term()
            for (coefficient, factors) in right.parts {
                do throws(SymbolicError) {
                    parts.append((next == .plus ? coefficient : try Checked.multiply(coefficient, -1), factors))
                } catch {
                    throw Failure()
                }
            }
            // Folded now and then, so that terms that cancel or combine
            // (`N + N + …`) never pile up past what the budget holds.
            if parts.count > 4 * Swift.max(budget.maxSize, 1) {
                parts = try built { () throws(SymbolicError) in try SymbolicDim.sum(of: parts).within(budget) }.parts
            }
        }
        return try built { () throws(SymbolicError) in try SymbolicDim.sum(of: parts).within(budget) }
    }

    private mutating func term() throws(Failure) -> SymbolicDim {
        var product = try factor()
        while let next = peek, next == .star || next == .floorSlash {
            position += 1
            let right = try factor()
            product = try built { () throws(SymbolicError) in
                next == .star
                    ? try product.multiplied(by: right, budget: budget)
                    : try SymbolicDim.floorDiv(product, right, budget: budget)
            }
        }
        return product
    }

    private mutating func factor() throws(Failure) -> SymbolicDim {
        // Every nesting (parentheses, calls, unary minus) passes through
        // here, so this one count bounds the recursion.
        depth += 1
        defer { depth -= 1 }
        guard depth <= 4 * Swift.max(budget.maxSize, 1) else { throw Failure() }
        guard peek == .minus else { return try primary() }
        position += 1
        // A minus straight before a literal belongs to it, so that −2⁶³,
        // which has no positive counterpart, can be written.
        if case .integer(let magnitude) = peek {
            position += 1
            return SymbolicDim(Int64(truncatingIfNeeded: 0 &- magnitude))
        }
        let operand = try factor()
        return try built { () throws(SymbolicError) in try operand.negated() }
    }

    private mutating func primary() throws(Failure) -> SymbolicDim {
        guard let token = peek else { throw Failure() }
        position += 1
        switch token {
        case .integer(let magnitude):
            guard magnitude <= UInt64(Int64.max) else { throw Failure() }
            return SymbolicDim(Int64(magnitude))
        case .quoted(let name):
            return SymbolicDim(symbol: name)
        case .identifier(let name):
            guard peek == .open, ["floor", "ceil", "mod", "min", "max"].contains(name) else {
                return SymbolicDim(symbol: name)
            }
            position += 1
            return try call(name)
        case .open:
            let inner = try expression()
            try expect(.close)
            return inner
        default:
            throw Failure()
        }
    }

    /// The arguments of `name(` up to the closing parenthesis.
    private mutating func call(_ name: String) throws(Failure) -> SymbolicDim {
        let result: SymbolicDim
        switch name {
        case "floor", "ceil":
            let dividend = try term()
            try expect(.slash)
            let divisor = try factor()
            result = try built { () throws(SymbolicError) in
                name == "floor"
                    ? try SymbolicDim.floorDiv(dividend, divisor, budget: budget)
                    : try SymbolicDim.ceilDiv(dividend, divisor, budget: budget)
            }
        case "mod":
            let dividend = try expression()
            try expect(.comma)
            let divisor = try expression()
            result = try built { () throws(SymbolicError) in try SymbolicDim.mod(dividend, divisor, budget: budget) }
        default:
            var extremum = try expression()
            while peek == .comma {
                position += 1
                let next = try expression()
                extremum = try built { () throws(SymbolicError) in
                    name == "min"
                        ? try SymbolicDim.min(extremum, next, budget: budget)
                        : try SymbolicDim.max(extremum, next, budget: budget)
                }
            }
            result = extremum
        }
        try expect(.close)
        return result
    }

    // MARK: - Helpers

    private var peek: Token? {
        position < tokens.count ? tokens[position] : nil
    }

    private mutating func expect(_ token: Token) throws(Failure) {
        guard peek == token else { throw Failure() }
        position += 1
    }

    private func built(_ step: () throws(SymbolicError) -> SymbolicDim) throws(Failure) -> SymbolicDim {
        do throws(SymbolicError) { return try step() } catch { throw Failure() }
    }
}
