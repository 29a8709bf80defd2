import OnyxIR

/// Kernels of the string family: StringNormalizer, StringSplit,
/// StringConcat, RegexFullMatch (through RE2 itself: `RE2Pattern`) and
/// TfIdfVectorizer.
///
/// Strings are UTF-8 bytes in tensors. Kernels that only cut or join keep
/// the bytes as they are; kernels that look at characters (case mapping,
/// whitespace, regex) decode them, an invalid sequence reading as U+FFFD.
enum StringKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("StringNormalizer", versions: 10...Int64.max) { call throws(RuntimeError) in
            [try normalize(call)]
        },
        KernelRegistration("StringSplit", versions: 20...Int64.max) { call throws(RuntimeError) in try split(call) },
        KernelRegistration("StringConcat", versions: 20...Int64.max) { call throws(RuntimeError) in
            let x = try call.input(0), y = try call.input(1)
            let (a, b) = (try strings(call, x, "X"), try strings(call, y, "Y"))
            let plan = try ElementwiseKernels.broadcast(call, [x.shape, y.shape])
            return [DenseTensor(shape: plan.shape, elements: .string(plan.map(a, b, +)))]
        },
        KernelRegistration("RegexFullMatch", versions: 20...Int64.max) { call throws(RuntimeError) in
            [try fullMatch(call)]
        },
        KernelRegistration("TfIdfVectorizer", versions: 9...Int64.max) { call throws(RuntimeError) in
            [try tfIdf(call)]
        },
    ]

    /// The elements of `tensor`, which must hold strings.
    static func strings(_ call: KernelCall, _ tensor: DenseTensor, _ what: String = "input") throws(RuntimeError)
        -> [[UInt8]]
    {
        guard case .string(let values) = tensor.elements else {
            throw call.failure("\(what) must be a string tensor, not \(tensor.dataType)")
        }
        return values
    }

    static func decoded(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    // MARK: StringNormalizer

    /// Drops the elements that are stopwords, then changes the case of the
    /// rest. As the spec says (and onnxruntime does), a stopword removes a
    /// whole element; the reference implementation instead removes
    /// space-separated words inside elements, drops every empty string and
    /// strips accents, none of which the spec asks for.
    static func normalize(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let texts = try strings(call, x)
        guard x.rank == 1 || (x.rank == 2 && x.shape[0] == 1) else {
            throw call.failure("input must have shape [C] or [1, C], not \(x.shape)")
        }
        let language = CaseMapping.language(of: call.string("locale"))
        let mapping: CaseMapping?
        switch call.string("case_change_action") ?? "" {
        case "LOWER": mapping = CaseMapping(upper: false, language: language)
        case "UPPER": mapping = CaseMapping(upper: true, language: language)
        case "NONE": mapping = nil
        case let other: throw call.failure("case_change_action '\(other)' is not LOWER, UPPER or NONE")
        }
        let caseSensitive = try call.requiredInt("is_case_sensitive") != 0
        let fold = CaseMapping.folding(language)
        let stopwords = call.attribute("stopwords")?.strings ?? []
        let stops = Set(caseSensitive ? stopwords : stopwords.map { Array(fold(decoded($0)).utf8) })
        var kept: [[UInt8]] = []
        for text in texts where !stops.contains(caseSensitive ? text : Array(fold(decoded(text)).utf8)) {
            kept.append(mapping.map { Array($0.apply(decoded(text)).utf8) } ?? text)
        }
        // Removing every element leaves one empty string, not an empty tensor.
        if kept.isEmpty { kept = [[]] }
        return DenseTensor(shape: x.rank == 1 ? [kept.count] : [1, kept.count], elements: .string(kept))
    }

    /// Upper- or lowercasing by Unicode's full default mappings (String's
    /// own `uppercased()`, `lowercased()`, which need no C locale installed),
    /// with the Final_Sigma rule `lowercased()` leaves out, and the dotted
    /// and dotless i of Turkish and Azeri when the locale names them. Other
    /// languages' tailorings (Lithuanian dots) are not applied.
    struct CaseMapping {
        let upper: Bool
        let language: String

        /// The language of a locale name (`tr_TR.UTF-8`, `az-Latn`), lowercased.
        static func language(of locale: String?) -> String {
            String((locale ?? "").prefix { $0 != "_" && $0 != "-" && $0 != "." && $0 != "@" }).lowercased()
        }

        /// The key two strings share when they differ only in case:
        /// lowercasing the uppercase form equates ß with SS and ς with σ.
        static func folding(_ language: String) -> (String) -> String {
            let up = CaseMapping(upper: true, language: language), down = CaseMapping(upper: false, language: language)
            return { down.apply(up.apply($0)) }
        }

        func apply(_ text: String) -> String {
            let turkic = language == "tr" || language == "az"
            let scalars = Array(text.unicodeScalars)
            var mapped = String.UnicodeScalarView()
            var k = 0
            while k < scalars.count {
                let c = scalars[k]
                k += 1
                switch c {
                case "i" where turkic && upper: mapped.append("\u{130}")
                case "\u{130}" where turkic && !upper: mapped.append("i")
                case "I" where turkic && !upper:
                    // I with a combining dot above is the dotted i.
                    if k < scalars.count, scalars[k] == "\u{307}" {
                        mapped.append("i")
                        k += 1
                    } else {
                        mapped.append("\u{131}")
                    }
                case "\u{3A3}" where !upper:
                    mapped.append(Self.isFinalSigma(scalars, at: k - 1) ? "\u{3C2}" : "\u{3C3}")
                default: mapped.append(c)
                }
            }
            let result = String(mapped)
            return upper ? result.uppercased() : result.lowercased()
        }

        /// Unicode's Final_Sigma context: a cased letter before (case-ignorable
        /// characters skipped), none after.
        static func isFinalSigma(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
            func casedNeighbour(_ indices: some Sequence<Int>) -> Bool {
                for j in indices where !scalars[j].properties.isCaseIgnorable { return scalars[j].properties.isCased }
                return false
            }
            return casedNeighbour((0..<index).reversed()) && !casedNeighbour((index + 1)..<scalars.count)
        }
    }

    // MARK: StringSplit

    /// Y: each element's substrings along a new last axis, padded with empty
    /// strings; Z: how many substrings each element gave.
    static func split(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let texts = try strings(call, x)
        let delimiter = call.attribute("delimiter")?.s ?? []
        // A negative maxsplit, like Python's -1, sets no limit.
        let limit = call.int("maxsplit").flatMap { $0 >= 0 ? Int(clamping: $0) : nil }
        let parts = texts.map {
            delimiter.isEmpty ? splitOnWhitespace($0, limit: limit) : split($0, on: delimiter, limit: limit)
        }
        let width = parts.map(\.count).max() ?? 0
        var substrings: [[UInt8]] = []
        substrings.reserveCapacity(try call.elementCount(x.shape + [width]))
        for part in parts {
            substrings += part
            substrings += repeatElement([], count: width - part.count)
        }
        return [
            DenseTensor(shape: x.shape + [width], elements: .string(substrings)),
            DenseTensor(shape: x.shape, elements: .int64(parts.map { Int64($0.count) })),
        ]
    }

    /// Python's `text.split(delimiter, limit)`: consecutive delimiters
    /// delimit empty strings. On bytes: a UTF-8 delimiter can only match at
    /// character boundaries.
    static func split(_ text: [UInt8], on delimiter: [UInt8], limit: Int?) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var start = 0, k = 0
        while k + delimiter.count <= text.count, parts.count < limit ?? .max {
            if text[k..<(k + delimiter.count)].elementsEqual(delimiter) {
                parts.append(Array(text[start..<k]))
                k += delimiter.count
                start = k
            } else {
                k += 1
            }
        }
        parts.append(Array(text[start...]))
        return parts
    }

    /// Python's `text.split(None, limit)`: runs of whitespace separate,
    /// leading and trailing whitespace gives nothing, and the remainder
    /// after `limit` splits is kept whole (its trailing whitespace too).
    static func splitOnWhitespace(_ text: [UInt8], limit: Int?) -> [[UInt8]] {
        let scalars = Array(decoded(text).unicodeScalars)
        func encoded(_ range: Range<Int>) -> [UInt8] { Array(String(String.UnicodeScalarView(scalars[range])).utf8) }
        var parts: [[UInt8]] = []
        var k = 0
        func skipSpace() { while k < scalars.count, isSpace(scalars[k]) { k += 1 } }
        skipSpace()
        while k < scalars.count {
            if parts.count == limit {
                parts.append(encoded(k..<scalars.count))
                break
            }
            let start = k
            while k < scalars.count, !isSpace(scalars[k]) { k += 1 }
            parts.append(encoded(start..<k))
            skipSpace()
        }
        return parts
    }

    /// Python's `str.isspace` for one character: Unicode White_Space plus
    /// the ASCII separators U+001C–U+001F.
    static func isSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace || (0x1C...0x1F).contains(c.value) }

    // MARK: RegexFullMatch

    static func fullMatch(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let texts = try strings(call, x)
        guard let pattern = call.attribute("pattern")?.s else { throw call.failure("attribute 'pattern' is missing") }
        let compiled = try call.memoized { () throws(RuntimeError) in try RE2Pattern(pattern, call) }
        return DenseTensor(shape: x.shape, elements: .bool(texts.map(compiled.matchesWhole)))
    }

    // MARK: TfIdfVectorizer

    /// The n-gram counts of each row of X (one row for a [C] input), weighted
    /// by mode. Y[…, j] counts the pool's n-grams whose ngram_indexes entry
    /// is j. A [0, C] input gives a [0, N] output (the reference refuses it).
    ///
    /// Weights: the spec's text gives weights[i] to the i-th n-gram of the
    /// pool, but the reference implementation and onnxruntime scale output
    /// coordinate j by weights[j] (and converters such as skl2onnx write
    /// weights that way); we do as they do, so results agree with theirs.
    static func tfIdf(_ call: KernelCall) throws(RuntimeError) -> DenseTensor {
        let x = try call.input(0)
        let minLength = try call.requiredInt("min_gram_length"), maxLength = try call.requiredInt("max_gram_length")
        let maxSkip = try call.requiredInt("max_skip_count")
        guard minLength >= 1, maxLength >= minLength else {
            throw call.failure(
                "gram lengths \(minLength)...\(maxLength) must satisfy 1 <= min_gram_length <= max_gram_length")
        }
        guard maxSkip >= 0 else { throw call.failure("max_skip_count \(maxSkip) is negative") }
        let indexes = call.ints("ngram_indexes") ?? []
        guard let largest = indexes.max(), indexes.allSatisfy({ $0 >= 0 }) else {
            throw call.failure("ngram_indexes must be non-empty and non-negative")
        }
        let weights = call.floats("weights") ?? []
        let mode = call.string("mode") ?? ""
        guard ["TF", "IDF", "TFIDF"].contains(mode) else {
            throw call.failure("mode '\(mode)' is not TF, IDF or TFIDF")
        }
        guard x.rank == 1 || x.rank == 2 else { throw call.failure("input must have rank 1 or 2, not \(x.rank)") }
        let rows = x.rank == 1 ? 1 : x.shape[0], width = x.shape[x.rank - 1]
        let outputShape = x.rank == 1 ? [Int(clamping: largest) &+ 1] : [rows, Int(clamping: largest) &+ 1]
        let total = try call.elementCount(outputShape)
        let outputSize = outputShape[outputShape.count - 1]
        guard weights.isEmpty || weights.count >= outputSize else {
            throw call.failure("weights has \(weights.count) entries but the output has \(outputSize) coordinates")
        }

        let poolStrings = call.attribute("pool_strings")?.strings ?? []
        let poolInts = call.attribute("pool_int64s")?.ints ?? []
        let gram = Gram(
            minLength: Int(clamping: minLength), maxLength: Int(clamping: maxLength), maxSkip: Int(clamping: maxSkip),
            width: width)
        func counted<Item: Hashable>(_ items: [Item], pool: [Item]) throws(RuntimeError) -> [Int] {
            let pool = try NgramPool(call, pool, gram: gram, indexes: indexes)
            return gram.count(items, rows: rows, pool: pool, indexes: indexes, outputSize: outputSize)
        }
        let counts: [Int]
        switch (poolStrings.isEmpty, poolInts.isEmpty) {
        case (false, false): throw call.failure("only one of pool_strings and pool_int64s may be set")
        case (true, true): throw call.failure("one of pool_strings and pool_int64s must be set")
        case (false, true):
            counts = try counted(try strings(call, x, "input (the pool is pool_strings)"), pool: poolStrings)
        case (true, false):
            guard x.dataType == .int32 || x.dataType == .int64, let items = try call.intsInput(0) else {
                throw call.failure("input must be int32 or int64 (the pool is pool_int64s), not \(x.dataType)")
            }
            counts = try counted(items, pool: poolInts)
        }
        var y = [Float](repeating: 0, count: total)
        for (p, count) in counts.enumerated() where count > 0 {
            let weight = weights.isEmpty ? 1 : weights[p % outputSize]
            y[p] = mode == "TF" ? Float(count) : mode == "IDF" ? weight : weight * Float(count)
        }
        return DenseTensor(y, shape: outputShape)
    }

    /// Which n-grams a TfIdfVectorizer gathers from a row of `width` items.
    struct Gram {
        let minLength: Int, maxLength: Int, maxSkip: Int, width: Int

        /// The count of each output coordinate, row by row: every n-gram of
        /// length minLength...maxLength whose items lie `skip + 1` apart, for
        /// each skip up to maxSkip (n-grams of one item counted once, not
        /// once per skip).
        func count<Item: Hashable>(
            _ items: [Item], rows: Int, pool: NgramPool<Item>, indexes: [Int64], outputSize: Int
        ) -> [Int] {
            var counts = [Int](repeating: 0, count: rows * outputSize)
            // Past a skip of `width`, no n-gram of two or more items fits.
            for row in 0..<rows {
                let base = row * width
                for skip in 0...Swift.min(maxSkip, width) {
                    let step = skip + 1
                    let shortest = skip > 0 && minLength == 1 ? 2 : minLength
                    guard shortest <= maxLength else { break }
                    for start in 0..<width {
                        var node = 0, length = 1, position = start
                        while length <= maxLength, position < width,
                            let next = pool.child(of: node, items[base + position])
                        {
                            if length >= shortest, let index = pool.gramIndex(at: next) {
                                counts[row * outputSize + Int(indexes[index])] += 1
                            }
                            node = next
                            length += 1
                            position += step
                        }
                    }
                }
            }
            return counts
        }
    }

    /// A TfIdfVectorizer's pool as a trie: a path of items from the root
    /// spells an n-gram, and the node it ends at knows the n-gram's index in
    /// the pool (and so in ngram_indexes).
    struct NgramPool<Item: Hashable> {
        private var children: [[Item: Int]] = [[:]]
        private var gramIndexes: [Int?] = [nil]

        /// The pool `items`, cut by ngram_counts into runs of 1-grams,
        /// 2-grams, ...; only the lengths `gram` gathers are kept, but every
        /// n-gram takes its place in ngram_indexes.
        init(_ call: KernelCall, _ items: [Item], gram: Gram, indexes: [Int64]) throws(RuntimeError) {
            let starts = call.ints("ngram_counts") ?? []
            var index = 0
            for (level, start) in starts.enumerated() {
                let end = level + 1 < starts.count ? starts[level + 1] : Int64(items.count)
                let length = level + 1
                guard start >= 0, start <= end, end <= Int64(items.count), (end - start) % Int64(length) == 0 else {
                    throw call.failure(
                        "ngram_counts \(starts) does not cut the \(items.count) pool items into whole n-grams "
                            + "(\(length)-grams at \(start)..<\(end))")
                }
                for gramStart in stride(from: Int(start), to: Int(end), by: length) {
                    if length >= gram.minLength && length <= gram.maxLength {
                        insert(items[gramStart..<(gramStart + length)], index: index)
                    }
                    index += 1
                }
            }
            guard index == indexes.count else {
                throw call.failure("ngram_indexes has \(indexes.count) entries but the pool holds \(index) n-grams")
            }
        }

        /// A later duplicate of an n-gram replaces the earlier one.
        private mutating func insert(_ gram: ArraySlice<Item>, index: Int) {
            var node = 0
            for item in gram {
                if let next = children[node][item] {
                    node = next
                } else {
                    children.append([:])
                    gramIndexes.append(nil)
                    children[node][item] = children.count - 1
                    node = children.count - 1
                }
            }
            gramIndexes[node] = index
        }

        func child(of node: Int, _ item: Item) -> Int? { children[node][item] }
        func gramIndex(at node: Int) -> Int? { gramIndexes[node] }
    }
}
