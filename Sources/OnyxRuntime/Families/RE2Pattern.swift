/// A RegexFullMatch pattern: RE2 syntax, parsed by RE2's own rules
/// (re2/parse.cc, which Go's regexp/syntax follows line for line) and
/// compiled to a Thompson automaton that is run breadth-first over the
/// text's Unicode scalars, as RE2 runs it: time linear in the text, and
/// RE2's meaning for every construct.
///
/// NOTE: Why not translate the pattern for Swift's `Regex`: in
/// Unicode-scalar mode its simple `\b` counts digits as non-word characters
/// (`\b1` fails on "1"), it has no lookbehind to say what `(?m)^` means in
/// RE2 (after `\n` only), and it backtracks, so `(a+)+b` on forty a's does
/// not finish. The standard library's `Regex` is
/// still what answers `\p{Greek}`: it is the one place Swift exposes the
/// Unicode Script property.
///
/// How RE2's constructs are compiled:
///
/// | RE2                                          | automaton                                        |
/// |----------------------------------------------|--------------------------------------------------|
/// | literal, `\a \f \t \n \r \v`, `\0`–`\777`, `\x7F`, `\x{10FFFF}`, `\.`, `\Q…\E` | a scalar |
/// | `.` / `(?s).`                                | any scalar but `\n` / any scalar                 |
/// | `[…]`, `[^…]`, `\d \s \w \D \S \W`, `[[:alpha:]]`, `[[:^alpha:]]` | ranges (Perl, POSIX: ASCII)  |
/// | `\pL`, `\p{Lu}`, `\p{Greek}`, `\p{Any}`, `\PL`, `\p{^Lu}` | a general category, a script, anything |
/// | `(?i)` on any of these                       | case orbits added (k, K, `\x{212A}`), then negation |
/// | `^`, `$`, `\A`, `\z`                         | start, end of text (`$` never before a final `\n`) |
/// | `(?m)^`, `(?m)$`                             | start of text or after `\n`; end of text or before `\n` |
/// | `\b`, `\B`                                   | an ASCII word boundary (`[0-9A-Za-z_]`), its negation |
/// | `x*`, `x+`, `x?`, lazy forms, `(?U)`         | loops; greed cannot change whether the whole text matches |
/// | `x{n}`, `x{n,}`, `x{n,m}` (≤ 1000, also multiplied through nesting) | copies of x              |
/// | `(re)`, `(?P<n>re)`, `(?<n>re)`, `(?:re)`, `(?flags)`, `(?flags:re)` | grouping only (no captures are needed) |
///
/// Refused as RE2 refuses them: backreferences (`\1`, `\k<n>`, `\g1`,
/// `(?P=n)`), lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`), atomic groups,
/// possessive and stacked quantifiers (`x*+`, `x**`), recursion,
/// conditionals, comments, the `x` flag, escapes RE2 lacks (`\G \Z \X \R \K
/// \h \e \cX` …), unknown classes, counts over 1000, unbalanced brackets,
/// invalid UTF-8, programs past RE2's size budget. Also refused: `\C` (any one byte), which RE2 accepts but a
/// matcher over scalars cannot mean. Left looser than RE2: script names are
/// looked up by Swift's rules, which also take aliases and any case
/// (`\p{Grek}`, `\p{greek}`).
struct RE2Pattern {
    private let program: [Instruction]

    /// `pattern` parsed and compiled; an error saying what RE2 would refuse.
    init(_ pattern: [UInt8]) throws(RE2PatternError) {
        let text = String(decoding: pattern, as: UTF8.self)
        // Decoding replaces invalid sequences, so they show as a change.
        guard Array(text.utf8) == pattern else { throw RE2PatternError("the pattern is not valid UTF-8") }
        var parser = Parser(Array(text.unicodeScalars))
        program = try parser.parse() + [.match]
    }

    /// Whether the whole of each text (UTF-8; an invalid sequence reads as
    /// U+FFFD) matches: every thread of the automaton advanced one scalar at
    /// a time, in time proportional to the text times the program.
    func matchesWhole(_ texts: [[UInt8]]) -> [Bool] {
        var current = ThreadList(program.count), next = ThreadList(program.count)
        var stack: [Int] = []
        return texts.map { text in
            let scalars = Array(String(decoding: text, as: UTF8.self).unicodeScalars)
            current.removeAll()
            follow(0, at: 0, in: scalars, into: &current, stack: &stack)
            for position in scalars.indices {
                guard !current.threads.isEmpty else { return false }
                next.removeAll()
                for pc in current.threads {
                    if case .scalar(let set) = program[pc], set.contains(scalars[position]) {
                        follow(pc + 1, at: position + 1, in: scalars, into: &next, stack: &stack)
                    }
                }
                swap(&current, &next)
            }
            return current.threads.contains { if case .match = program[$0] { true } else { false } }
        }
    }

    /// Adds the threads reachable from `start` without consuming a scalar
    /// (through jumps, splits and assertions that hold at `position`).
    private func follow(
        _ start: Int, at position: Int, in text: [Unicode.Scalar], into list: inout ThreadList, stack: inout [Int]
    ) {
        stack.append(start)
        while let pc = stack.popLast() {
            guard list.insert(pc) else { continue }
            switch program[pc] {
            case .jump(let offset): stack.append(pc + offset)
            case .split(let first, let second): stack += [pc + second, pc + first]
            case .assert(let assertion): if assertion.holds(at: position, in: text) { stack.append(pc + 1) }
            case .scalar, .match: break
            }
        }
    }
}

/// Why a pattern is not one RE2 accepts (or not one this matcher can run).
struct RE2PatternError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

extension RE2Pattern {
    /// One step of the automaton; jump targets are relative to the step, so
    /// programs concatenate without patching.
    enum Instruction {
        case scalar(ScalarSet)
        case split(Int, Int)
        case jump(Int)
        case assert(Assertion)
        case match
    }

    enum Assertion {
        case textStart, textEnd, lineStart, lineEnd, wordBoundary, notWordBoundary

        func holds(at position: Int, in text: [Unicode.Scalar]) -> Bool {
            func isWord(_ index: Int) -> Bool {
                guard text.indices.contains(index) else { return false }
                let v = text[index].value
                return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
            }
            switch self {
            case .textStart: return position == 0
            case .textEnd: return position == text.count
            case .lineStart: return position == 0 || text[position - 1] == "\n"
            case .lineEnd: return position == text.count || text[position] == "\n"
            case .wordBoundary: return isWord(position - 1) != isWord(position)
            case .notWordBoundary: return isWord(position - 1) == isWord(position)
            }
        }
    }

    /// The threads at one position: a sparse set of program counters, in the
    /// order they were added (clearing is O(1)).
    fileprivate struct ThreadList {
        private(set) var threads: [Int] = []
        private var slot: [Int]

        init(_ capacity: Int) { slot = Array(repeating: 0, count: capacity) }

        /// Adds `pc`; false when it was there already.
        mutating func insert(_ pc: Int) -> Bool {
            let k = slot[pc]
            if k < threads.count, threads[k] == pc { return false }
            slot[pc] = threads.count
            threads.append(pc)
            return true
        }

        mutating func removeAll() { threads.removeAll(keepingCapacity: true) }
    }

    /// A set of scalars: sorted, disjoint ranges plus Unicode classes, or the
    /// complement of that.
    struct ScalarSet {
        var ranges: [ClosedRange<UInt32>] = []
        var classes: [UnicodeClass] = []
        var negated = false

        static var all: ScalarSet { ScalarSet(ranges: [0...0x10FFFF]) }

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            (Self.rangesContain(ranges, scalar.value) || classes.contains { $0.contains(scalar) }) != negated
        }

        static func rangesContain(_ ranges: [ClosedRange<UInt32>], _ value: UInt32) -> Bool {
            var low = 0, high = ranges.count
            while low < high {
                let middle = (low + high) / 2
                if ranges[middle].upperBound < value { low = middle + 1 } else { high = middle }
            }
            return low < ranges.count && ranges[low].contains(value)
        }

        /// `ranges` sorted and merged.
        static func normalized(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
            var merged: [ClosedRange<UInt32>] = []
            for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                    merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
                } else {
                    merged.append(range)
                }
            }
            return merged
        }

        /// Every scalar outside `ranges` (normalized).
        static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
            var result: [ClosedRange<UInt32>] = []
            var next: UInt32 = 0
            for range in ranges {
                if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
                next = range.upperBound + 1
            }
            if next <= 0x10FFFF { result.append(next...0x10FFFF) }
            return result
        }
    }

    /// `\p{…}` or `\P{…}`: a general category or a script, plus what case
    /// folding added to it.
    struct UnicodeClass {
        enum Kind {
            case categories(Set<Unicode.GeneralCategory>)
            case script(Regex<AnyRegexOutput>)
        }

        let kind: Kind
        var folded: [ClosedRange<UInt32>] = []
        var negated = false

        func holds(_ scalar: Unicode.Scalar) -> Bool {
            switch kind {
            case .categories(let categories): return categories.contains(scalar.properties.generalCategory)
            case .script(let regex): return (try? regex.wholeMatch(in: String(Character(scalar)))) != nil
            }
        }

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            (holds(scalar) || ScalarSet.rangesContain(folded, scalar.value)) != negated
        }

        /// RE2's two-letter general categories; a one-letter name is their union
        /// by first letter (so C is Cc, Cf, Co and Cs, without unassigned Cn).
        static let categories: [String: Unicode.GeneralCategory] = [
            "Lu": .uppercaseLetter, "Ll": .lowercaseLetter, "Lt": .titlecaseLetter, "Lm": .modifierLetter,
            "Lo": .otherLetter, "Mn": .nonspacingMark, "Mc": .spacingMark, "Me": .enclosingMark, "Nd": .decimalNumber,
            "Nl": .letterNumber, "No": .otherNumber, "Pc": .connectorPunctuation, "Pd": .dashPunctuation,
            "Ps": .openPunctuation, "Pe": .closePunctuation, "Pi": .initialPunctuation, "Pf": .finalPunctuation,
            "Po": .otherPunctuation, "Sm": .mathSymbol, "Sc": .currencySymbol, "Sk": .modifierSymbol, "So": .otherSymbol,
            "Zs": .spaceSeparator, "Zl": .lineSeparator, "Zp": .paragraphSeparator, "Cc": .control, "Cf": .format,
            "Cs": .surrogate, "Co": .privateUse,
        ]

        /// The class RE2 calls `name` (without `^`); nil for a name it lacks.
        init?(named name: String) {
            let matching = Self.categories.filter { name.count == 1 ? $0.key.hasPrefix(name) : $0.key == name }
            if !matching.isEmpty {
                kind = .categories(Set(matching.values))
            } else if !name.isEmpty,
                name.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) }),
                let regex = try? Regex("\\p{sc=\(name)}").matchingSemantics(.unicodeScalar)
            {
                kind = .script(regex)
            } else {
                return nil
            }
        }
    }

    /// Case-insensitive matching as RE2 does it: a scalar matches each one it
    /// reaches through simple (one-scalar) case mappings, its orbit: k, K and
    /// the Kelvin sign; s, S and the long s; σ, ς and Σ; but not ı with I, which
    /// Unicode's case folding leaves apart.
    enum CaseFolding {
        /// The orbit of each scalar that has one, itself included.
        static let orbits: [UInt32: [UInt32]] = {
            // Union-find, over the range where Unicode has cased letters, of each
            // scalar that case folding changes with its one-scalar lower, upper
            // and title forms (ı is left out because folding leaves it alone).
            var parent: [UInt32: UInt32] = [:]
            func root(_ x: UInt32) -> UInt32 {
                var x = x
                while let up = parent[x], up != x { x = up }
                return x
            }
            for value in UInt32(0x41)...0x1E943 {
                guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenCaseFolded else { continue }
                let properties = scalar.properties
                for mapping in [properties.lowercaseMapping, properties.uppercaseMapping, properties.titlecaseMapping] {
                    let scalars = mapping.unicodeScalars
                    guard scalars.count == 1, let other = scalars.first?.value, other != value else { continue }
                    let (a, b) = (root(value), root(other))
                    parent[a] = min(a, b)
                    parent[b] = min(a, b)
                }
            }
            var groups: [UInt32: [UInt32]] = [:]
            for member in parent.keys { groups[root(member), default: []].append(member) }
            var orbits: [UInt32: [UInt32]] = [:]
            for group in groups.values where group.count > 1 {
                for member in group { orbits[member] = group }
            }
            return orbits
        }()

        /// `ranges` with every orbit that meets them.
        static func folded(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
            // A range over every cased scalar gains nothing.
            if ranges.contains(where: { $0.lowerBound <= 0x41 && $0.upperBound >= 0x1E943 }) { return ranges }
            var all = ranges
            for (scalar, orbit) in orbits where ranges.contains(where: { $0.contains(scalar) }) {
                all += orbit.map { $0...$0 }
            }
            return ScalarSet.normalized(all)
        }

        /// The orbits of the scalars in `unicodeClass`: what RE2 adds to a
        /// Unicode class under (?i).
        static func added(to unicodeClass: UnicodeClass) -> [ClosedRange<UInt32>] {
            var added: [ClosedRange<UInt32>] = []
            for (scalar, orbit) in orbits {
                guard let s = Unicode.Scalar(scalar), unicodeClass.holds(s) else { continue }
                added += orbit.map { $0...$0 }
            }
            return ScalarSet.normalized(added)
        }
    }
}
