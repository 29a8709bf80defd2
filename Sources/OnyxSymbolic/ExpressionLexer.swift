/// One token of the dim text syntax.
enum Token: Equatable {
    /// A magnitude up to 2⁶³, so that a minus before it can make −2⁶³.
    case integer(UInt64)
    case identifier(String)
    /// A `"…"` name, escapes removed; never a function keyword.
    case quoted(String)
    case plus, minus, star, slash, floorSlash, open, close, comma
}

/// Splits dim text into tokens, skipping spaces, tabs and newlines; nil
/// for a character the syntax has no use for or an unterminated quote.
enum ExpressionLexer {
    static func tokens(_ text: String) -> [Token]? {
        let scalars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case " ", "\t", "\n", "\r": continue
            case "+": tokens.append(.plus)
            case "-": tokens.append(.minus)
            case "*": tokens.append(.star)
            case "(": tokens.append(.open)
            case ")": tokens.append(.close)
            case ",": tokens.append(.comma)
            case "/":
                if index < scalars.count, scalars[index] == "/" {
                    index += 1
                    tokens.append(.floorSlash)
                } else {
                    tokens.append(.slash)
                }
            case "0"..."9":
                var magnitude = UInt64(scalar.value - 48)
                while index < scalars.count, ("0"..."9").contains(scalars[index]) {
                    let (tens, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                    magnitude = tens &+ UInt64(scalars[index].value - 48)
                    guard !overflow, magnitude >= tens, magnitude <= UInt64(Int64.max) + 1 else { return nil }
                    index += 1
                }
                tokens.append(.integer(magnitude))
            case "\"":
                var name = String.UnicodeScalarView()
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\" { index += 1 }
                    guard index < scalars.count else { return nil }
                    name.append(scalars[index])
                    index += 1
                }
                guard index < scalars.count else { return nil }
                index += 1
                tokens.append(.quoted(String(name)))
            case _ where SymbolName.isIdentifierStart(scalar):
                var name = String.UnicodeScalarView([scalar])
                while index < scalars.count, SymbolName.isIdentifierContinuation(scalars[index]) {
                    name.append(scalars[index])
                    index += 1
                }
                tokens.append(.identifier(String(name)))
            default:
                return nil
            }
        }
        return tokens
    }
}
