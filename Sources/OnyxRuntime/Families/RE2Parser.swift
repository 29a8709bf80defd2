extension RE2Pattern {
    /// RE2's parser, as a loop over the pattern with an explicit stack of open
    /// groups (no recursion, so no nesting depth can exhaust the call stack),
    /// building the program as it goes.
    struct Parser {
        struct Flags {
            var caseless = false, multiline = false, dotAll = false
        }

        /// One item of a concatenation, compiled.
        struct Piece {
            var program: [Instruction]
            /// The largest product of counted repetitions on any path through
            /// the piece: RE2 refuses a pattern where it passes 1000.
            var weight = 1
        }

        /// A group being read, and what to restore when it closes.
        struct Frame {
            var alternatives: [Piece]
            var pieces: [Piece]
            var flags: Flags
        }

        static let maxRepeat = 1000
        /// A bound on the program, past which a pattern is refused rather than
        /// compiled: about where RE2's own (a default 8 MiB budget) refuses
        /// `a{1000}` written out 699 times.
        static let maxProgram = 700_000

        let s: [Unicode.Scalar]
        var i = 0
        var flags = Flags()
        var frames: [Frame] = []
        /// The finished alternatives of the innermost open group.
        var alternatives: [Piece] = []
        /// The concatenation being read.
        var pieces: [Piece] = []
        /// Steps compiled so far: repetition copies its operand, so this is
        /// what can grow past `maxProgram`.
        var emitted = 0

        init(_ scalars: [Unicode.Scalar]) { s = scalars }

        mutating func parse() throws(RE2PatternError) -> [Instruction] {
            var lastWasRepeat = false
            while i < s.count {
                var repeated = false
                switch s[i] {
                case "(": try openGroup()
                case "|":
                    finishAlternative()
                    i += 1
                case ")": try closeGroup()
                case "^":
                    append(.assert(flags.multiline ? .lineStart : .textStart))
                    i += 1
                case "$":
                    append(.assert(flags.multiline ? .lineEnd : .textEnd))
                    i += 1
                case ".":
                    append(.scalar(flags.dotAll ? .all : ScalarSet(ranges: [0x0A...0x0A], negated: true)))
                    i += 1
                case "[": try parseClass()
                case "*", "+", "?":
                    let op = s[i]
                    i += 1
                    try repeatLast(
                        op == "+" ? 1 : 0, op == "?" ? 1 : nil, counted: false, possessive: op == "+", after: lastWasRepeat)
                    repeated = true
                case "{":
                    if let count = try parseCount() {
                        try repeatLast(count.min, count.max, counted: true, possessive: false, after: lastWasRepeat)
                        repeated = true
                    } else {
                        literal(s[i].value)
                        i += 1
                    }
                case "\\": try parseEscape()
                default:
                    literal(s[i].value)
                    i += 1
                }
                lastWasRepeat = repeated
            }
            guard frames.isEmpty else { throw RE2PatternError("a group is missing its ')'") }
            finishAlternative()
            return Self.alternation(alternatives).program
        }

        static let tooLarge = RE2PatternError("the pattern compiles to more than \(maxProgram) steps")

        // MARK: Pieces

        mutating func append(_ instruction: Instruction) {
            pieces.append(Piece(program: [instruction]))
            emitted += 1
        }

        mutating func literal(_ codePoint: UInt32) {
            append(.scalar(ScalarSet(ranges: members([codePoint...codePoint]))))
        }

        /// `ranges`, folded under (?i) as RE2 folds them.
        func members(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
            flags.caseless ? CaseFolding.folded(ranges) : ScalarSet.normalized(ranges)
        }

        mutating func finishAlternative() {
            alternatives.append(Piece(program: pieces.flatMap(\.program), weight: pieces.map(\.weight).max() ?? 1))
            pieces = []
        }

        /// `a|b|…`: each alternative behind a split, each but the last ending
        /// in a jump past the rest.
        static func alternation(_ alternatives: [Piece]) -> Piece {
            var program = alternatives.last?.program ?? []
            for alternative in alternatives.dropLast().reversed() {
                program =
                    [.split(1, alternative.program.count + 2)] + alternative.program + [.jump(program.count + 1)] + program
            }
            return Piece(program: program, weight: alternatives.map(\.weight).max() ?? 1)
        }

        // MARK: Groups and flags

        mutating func openGroup() throws(RE2PatternError) {
            let start = i
            i += 1
            guard i < s.count, s[i] == "?" else {
                push(restoring: flags)
                return
            }
            i += 1
            guard i < s.count else { throw RE2PatternError("'(?' at the end of the pattern") }
            let rest = String(String.UnicodeScalarView(s[i...].prefix(2)))
            if rest.hasPrefix("P<") || (rest.hasPrefix("<") && !rest.hasPrefix("<=") && !rest.hasPrefix("<!")) {
                i += rest.hasPrefix("P") ? 2 : 1
                try captureName(from: start)
                push(restoring: flags)
                return
            }
            if let construct = Self.foreignGroup(rest) {
                throw RE2PatternError("\(construct) (\(text(start..<(i + 2)))…) is not RE2 syntax")
            }
            // Flags: (?imsU-imsU) sets them for the rest of the group,
            // (?imsU-imsU:re) for re alone. U (ungreedy) cannot change whether
            // the whole text matches, so it is read and dropped.
            var changed = flags
            var negated = false, sawFlag = false
            while i < s.count {
                let c = s[i]
                i += 1
                switch c {
                case "i": changed.caseless = !negated
                case "m": changed.multiline = !negated
                case "s": changed.dotAll = !negated
                case "U": break
                case "-", ":", ")":
                    // One '-' at most, and a flag after it.
                    guard c == "-" ? !negated : !negated || sawFlag else {
                        throw RE2PatternError("\(text(start..<i)) is not a valid flag group")
                    }
                    if c == "-" {
                        negated = true
                        sawFlag = false
                        continue
                    }
                    if c == ":" { push(restoring: flags) }
                    flags = changed
                    return
                default:
                    let what = c == "x" ? "the x (extended) flag" : "flag '\(c)'"
                    throw RE2PatternError("\(what) in \(text(start..<i)) is not RE2 syntax; RE2's flags are i, m, s and U")
                }
                sawFlag = true
            }
            throw RE2PatternError("a group is missing its ')'")
        }

        /// The name of `(?P<name>` or `(?<name>`, i at the name.
        mutating func captureName(from start: Int) throws(RE2PatternError) {
            guard let end = s[i...].firstIndex(of: ">") else {
                throw RE2PatternError("the named group at \(text(start..<s.count)) has no closing '>'")
            }
            let name = s[i..<end]
            let isNameScalar = { (c: Unicode.Scalar) in c == "_" || c.properties.isAlphabetic || ("0"..."9").contains(c) }
            guard !name.isEmpty, name.allSatisfy(isNameScalar) else {
                throw RE2PatternError("'\(text(i..<end))' is not a valid group name")
            }
            i = end + 1
        }

        /// The name of a PCRE group RE2 lacks, from the two characters after `(?`.
        static func foreignGroup(_ rest: String) -> String? {
            if rest.hasPrefix("=") || rest.hasPrefix("!") { return "lookahead" }
            if rest.hasPrefix("<=") || rest.hasPrefix("<!") { return "lookbehind" }
            if rest.hasPrefix(">") { return "an atomic group" }
            if rest.hasPrefix("#") { return "a comment group" }
            if rest.hasPrefix("|") { return "a branch reset group" }
            if rest.hasPrefix("(") { return "a conditional group" }
            if rest.hasPrefix("'") { return "a quoted group name" }
            if rest.hasPrefix("P=") || rest.hasPrefix("P>") || rest.hasPrefix("&") {
                return "a backreference or subroutine call"
            }
            if let first = rest.unicodeScalars.first, "R+0123456789".unicodeScalars.contains(first) { return "recursion" }
            if rest.count == 2, rest.hasPrefix("-"), let digit = rest.unicodeScalars.last, ("0"..."9").contains(digit) {
                return "recursion"
            }
            return nil
        }

        mutating func push(restoring saved: Flags) {
            frames.append(Frame(alternatives: alternatives, pieces: pieces, flags: saved))
            alternatives = []
            pieces = []
        }

        mutating func closeGroup() throws(RE2PatternError) {
            guard let frame = frames.popLast() else { throw RE2PatternError("a ')' closes no group") }
            i += 1
            finishAlternative()
            let group = Self.alternation(alternatives)
            alternatives = frame.alternatives
            pieces = frame.pieces + [group]
            flags = frame.flags
        }

        // MARK: Repetition

        /// `{n}`, `{n,}` or `{n,m}` at i (RE2's spelling: no sign, no leading
        /// zeros), consumed; nil, i unmoved, when the brace opens no count.
        mutating func parseCount() throws(RE2PatternError) -> (min: Int, max: Int?)? {
            let start = i
            var j = i + 1
            func number() -> Int? {
                let first = j
                while j < s.count, ("0"..."9").contains(s[j]) { j += 1 }
                guard j > first, !(s[first] == "0" && j - first > 1) else { return nil }
                // More than 8 digits is past any limit; keep the value small.
                return j - first > 8 ? Int.max : s[first..<j].reduce(0) { $0 * 10 + Int($1.value - 0x30) }
            }
            guard let min = number(), j < s.count else { return nil }
            var max: Int? = min
            if s[j] == "," {
                j += 1
                guard j < s.count else { return nil }
                if s[j] == "}" {
                    max = nil
                } else {
                    guard let upper = number() else { return nil }
                    max = upper
                }
            }
            guard j < s.count, s[j] == "}" else { return nil }
            i = j + 1
            if min > Self.maxRepeat || (max ?? 0) > Self.maxRepeat || max.map({ min > $0 }) == true {
                throw RE2PatternError("the count \(text(start..<i)) is past RE2's limit of 1000 or out of order")
            }
            return (min, max)
        }

        /// The last piece repeated min...max (nil: unbounded) times, i after
        /// the operator; a lazy '?' after it is read (and, like greed, makes no
        /// difference to a full match).
        mutating func repeatLast(
            _ min: Int, _ max: Int?, counted: Bool, possessive: Bool, after lastWasRepeat: Bool
        ) throws(RE2PatternError) {
            let operatorStart = i - 1
            if i < s.count, s[i] == "?" { i += 1 }
            if lastWasRepeat {
                throw RE2PatternError(
                    possessive
                        ? "possessive quantifiers (x*+) are not RE2 syntax"
                        : "repetition operators cannot follow one another (x** is not RE2 syntax)")
            }
            guard let last = pieces.popLast() else {
                throw RE2PatternError("the repetition \(text(operatorStart..<i)) has nothing to repeat")
            }
            var weight = last.weight
            if counted {
                // RE2 (repeatIsValid) multiplies counts through nesting; {0}
                // matches only the empty string, so what it holds is not counted.
                weight = max == 0 ? 1 : weight * Swift.max(max ?? min, 1)
                if (min >= 2 || (max ?? 0) >= 2) && weight > Self.maxRepeat {
                    throw RE2PatternError("nested counted repetitions multiply past RE2's limit of 1000")
                }
            }
            let body = last.program
            // min copies, then max - min optional ones (a split each) or one loop.
            emitted += min * body.count + (max.map { ($0 - min) * (body.count + 1) } ?? body.count + 2) - body.count
            guard emitted <= Self.maxProgram else { throw Self.tooLarge }
            // x{n,m} is n copies of x, then m - n of x?, or x* when unbounded.
            let optional: [Instruction] = [.split(1, body.count + 1)] + body
            let star: [Instruction] = [.split(1, body.count + 2)] + body + [.jump(-(body.count + 1))]
            var program = Array([[Instruction]](repeating: body, count: min).joined())
            if let max {
                program += [[Instruction]](repeating: optional, count: max - min).joined()
            } else {
                program += star
            }
            pieces.append(Piece(program: program, weight: weight))
        }

        // MARK: Escapes

        /// A backslash sequence outside a class, i at the backslash.
        mutating func parseEscape() throws(RE2PatternError) {
            guard i + 1 < s.count else { throw RE2PatternError("the pattern ends in a lone backslash") }
            switch s[i + 1] {
            case "A", "z", "b", "B":
                let letter = s[i + 1]
                let assertion: Assertion =
                    letter == "A" ? .textStart : letter == "z" ? .textEnd : letter == "b" ? .wordBoundary : .notWordBoundary
                append(.assert(assertion))
                i += 2
            case "C":
                throw RE2PatternError("\\C (any one byte) cannot be matched over Unicode text")
            case "Q":
                // \Q…\E: everything up to \E (or the end) is literal.
                i += 2
                while i < s.count {
                    if s[i] == "\\", i + 1 < s.count, s[i + 1] == "E" {
                        i += 2
                        break
                    }
                    literal(s[i].value)
                    i += 1
                }
            case "p", "P":
                append(.scalar(try unicodeClass()))
            case "d", "D", "s", "S", "w", "W":
                let (ranges, negated) = Self.perlClass(s[i + 1])
                append(.scalar(ScalarSet(ranges: members(ranges), negated: negated)))
                i += 2
            default:
                literal(try escapedCodePoint())
            }
        }

        /// The code point of a single-character escape at i (a backslash),
        /// consumed: octal, hex, C escapes, escaped punctuation.
        mutating func escapedCodePoint() throws(RE2PatternError) -> UInt32 {
            let start = i
            guard i + 1 < s.count else { throw RE2PatternError("the pattern ends in a lone backslash") }
            let c = s[i + 1]
            i += 2
            func octalDigit(_ k: Int) -> UInt32? { k < s.count && ("0"..."7").contains(s[k]) ? s[k].value - 0x30 : nil }
            func hexDigit(_ scalar: Unicode.Scalar) -> UInt32? {
                scalar.properties.isASCIIHexDigit ? UInt32(String(scalar), radix: 16) : nil
            }
            switch c {
            case "1"..."7" where octalDigit(i) != nil, "0":
                // Up to three octal digits; \1 to \9 alone are backreferences.
                var value = c.value - 0x30
                for _ in 0..<2 {
                    guard let digit = octalDigit(i) else { break }
                    value = value * 8 + digit
                    i += 1
                }
                return value
            case "1"..."9":
                throw RE2PatternError("backreferences (\(text(start..<i))) are not RE2 syntax")
            case "x":
                if i < s.count, s[i] == "{" {
                    var value: UInt32 = 0
                    var j = i + 1
                    while j < s.count, let digit = hexDigit(s[j]), value <= 0x10FFFF {
                        value = value * 16 + digit
                        j += 1
                    }
                    guard j < s.count, s[j] == "}", j > i + 1, value <= 0x10FFFF else {
                        throw RE2PatternError("\(text(start..<(j + 1))) is not a valid hex escape")
                    }
                    i = j + 1
                    return value
                }
                guard i + 1 < s.count, let high = hexDigit(s[i]), let low = hexDigit(s[i + 1]) else {
                    throw RE2PatternError("\\x must be followed by two hex digits or {hex}")
                }
                i += 2
                return high * 16 + low
            case "a": return 0x07
            case "f": return 0x0C
            case "n": return 0x0A
            case "r": return 0x0D
            case "t": return 0x09
            case "v": return 0x0B
            case "g", "k":
                throw RE2PatternError("backreferences (\\\(c)) are not RE2 syntax")
            case "Z":
                throw RE2PatternError("\\Z is not RE2 syntax (RE2 writes \\z for the end of the text)")
            default:
                // Escaped ASCII punctuation is itself; RE2 gives letters and
                // digits no meanings but the ones above.
                guard c.isASCII, !c.properties.isAlphabetic, !("0"..."9").contains(c) else {
                    throw RE2PatternError("\\\(c) is not an escape RE2 knows")
                }
                return c.value
            }
        }

        // MARK: Classes

        /// `[…]` at i, consumed (RE2's rules: `]` first is literal, `-` is
        /// literal where it cannot make a range).
        mutating func parseClass() throws(RE2PatternError) {
            let start = i
            i += 1
            var set = ScalarSet()
            if i < s.count, s[i] == "^" {
                set.negated = true
                i += 1
            }
            var ranges: [ClosedRange<UInt32>] = []
            var first = true
            while i >= s.count || s[i] != "]" || first {
                guard i < s.count else { throw RE2PatternError("the class \(text(start..<s.count)) has no closing ']'") }
                first = false
                if s[i] == "[", i + 1 < s.count, s[i + 1] == ":", let posix = try posixClass() {
                    ranges += posix
                    continue
                }
                if s[i] == "\\", i + 1 < s.count {
                    switch s[i + 1] {
                    case "p", "P":
                        let unicodeClass = try unicodeClass()
                        ranges += unicodeClass.ranges
                        set.classes += unicodeClass.classes
                        continue
                    case "d", "D", "s", "S", "w", "W":
                        let (perl, negated) = Self.perlClass(s[i + 1])
                        ranges += negated ? ScalarSet.complement(members(perl)) : perl
                        i += 2
                        continue
                    default: break
                    }
                }
                let low = try classCodePoint(start)
                var high = low
                if i + 1 < s.count, s[i] == "-", s[i + 1] != "]" {
                    let rangeStart = i - 1
                    i += 1
                    high = try classCodePoint(start)
                    guard high >= low else { throw RE2PatternError("the range \(text(rangeStart..<i)) runs backwards") }
                }
                ranges.append(low...high)
            }
            i += 1
            // Folding comes first, then negation, as in RE2: (?i)[^k] excludes K
            // and the Kelvin sign too.
            set.ranges = members(ranges)
            append(.scalar(set))
        }

        /// One code point inside a class, consumed.
        mutating func classCodePoint(_ classStart: Int) throws(RE2PatternError) -> UInt32 {
            guard i < s.count else { throw RE2PatternError("the class \(text(classStart..<s.count)) has no closing ']'") }
            if s[i] == "\\" {
                // Class escapes at an item's start were read by the caller.
                if i + 1 < s.count, "dDsSwWpP".unicodeScalars.contains(s[i + 1]) {
                    throw RE2PatternError("a class (\\\(s[i + 1])) cannot end a range")
                }
                return try escapedCodePoint()
            }
            i += 1
            return s[i - 1].value
        }

        /// RE2's ASCII Perl classes: the ranges, and whether the escape negates them.
        static func perlClass(_ letter: Unicode.Scalar) -> ([ClosedRange<UInt32>], Bool) {
            let ranges: [ClosedRange<UInt32>] =
                switch letter {
                case "d", "D": [0x30...0x39]
                case "s", "S": [0x09...0x0A, 0x0C...0x0D, 0x20...0x20]
                default: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
                }
            return (ranges, letter.properties.isUppercase)
        }

        /// RE2's POSIX classes (ASCII), by name.
        static let posixClasses: [String: [ClosedRange<UInt32>]] = [
            "alnum": [0x30...0x39, 0x41...0x5A, 0x61...0x7A],
            "alpha": [0x41...0x5A, 0x61...0x7A],
            "ascii": [0x00...0x7F],
            "blank": [0x09...0x09, 0x20...0x20],
            "cntrl": [0x00...0x1F, 0x7F...0x7F],
            "digit": [0x30...0x39],
            "graph": [0x21...0x7E],
            "lower": [0x61...0x7A],
            "print": [0x20...0x7E],
            "punct": [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E],
            "space": [0x09...0x0D, 0x20...0x20],
            "upper": [0x41...0x5A],
            "word": [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A],
            "xdigit": [0x30...0x39, 0x41...0x46, 0x61...0x66],
        ]

        /// `[:name:]` or `[:^name:]` at i inside a class, consumed; nil, i
        /// unmoved, when no `:]` follows (the `[` is then a literal).
        mutating func posixClass() throws(RE2PatternError) -> [ClosedRange<UInt32>]? {
            var end = i + 2
            while end + 1 < s.count, !(s[end] == ":" && s[end + 1] == "]") { end += 1 }
            guard end + 1 < s.count else { return nil }
            var name = text((i + 2)..<end)
            let negated = name.hasPrefix("^")
            if negated { name.removeFirst() }
            guard let ranges = Self.posixClasses[name] else {
                throw RE2PatternError("\(text(i..<(end + 2))) is not a POSIX class RE2 knows")
            }
            i = end + 2
            return negated ? ScalarSet.complement(members(ranges)) : ranges
        }

        /// `\pX`, `\p{Name}`, `\p{^Name}`, `\PX`, … at i, consumed.
        mutating func unicodeClass() throws(RE2PatternError) -> ScalarSet {
            let start = i
            var negated = s[i + 1] == "P"
            i += 2
            guard i < s.count else { throw RE2PatternError("\(text(start..<i)) names no Unicode class") }
            var name: String
            if s[i] == "{" {
                guard let end = s[i...].firstIndex(of: "}") else {
                    throw RE2PatternError("\(text(start..<s.count)) has no closing '}'")
                }
                name = text((i + 1)..<end)
                i = end + 1
            } else {
                name = String(s[i])
                i += 1
            }
            if name.hasPrefix("^") {
                negated.toggle()
                name.removeFirst()
            }
            if name == "Any" { return negated ? ScalarSet() : .all }
            guard var unicodeClass = UnicodeClass(named: name) else {
                throw RE2PatternError("\(text(start..<i)) is not a Unicode class RE2 knows")
            }
            // Under (?i) RE2 adds what folds into the class, then negates.
            if flags.caseless { unicodeClass.folded = CaseFolding.added(to: unicodeClass) }
            unicodeClass.negated = negated
            return ScalarSet(classes: [unicodeClass])
        }

        func text(_ range: Range<Int>) -> String {
            String(String.UnicodeScalarView(s[range.clamped(to: 0..<s.count)]))
        }
    }
}
