import COpenBLAS
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import OnyxIR

/// Kernels of the Einsum family.
enum EinsumKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("Einsum", versions: 12...Int64.max) { call throws(RuntimeError) in try einsum(call) },
        KernelRegistration("Det", versions: 11...Int64.max) { call throws(RuntimeError) in try det(call) },
    ]

    // MARK: Einsum

    /// One operand's labels, the ellipsis expanded to labels 1000, 1001, …
    /// counted from the right (so they broadcast right-aligned).
    static func parseTerm(_ term: Substring, rank: Int?, _ call: KernelCall) throws(RuntimeError) -> [Int] {
        var labels: [Int] = []
        var ellipsisAt: Int? = nil
        var chars = Array(term)
        var i = 0
        var letters = 0
        while i < chars.count {
            let c = chars[i]
            if c == "." {
                guard i + 2 < chars.count, chars[i + 1] == ".", chars[i + 2] == ".", ellipsisAt == nil else {
                    throw call.failure("bad ellipsis in einsum term '\(term)'")
                }
                ellipsisAt = labels.count
                i += 3
                continue
            }
            guard let ascii = c.asciiValue, c.isLetter else { throw call.failure("bad character '\(c)' in einsum equation") }
            labels.append(Int(ascii))
            letters += 1
            i += 1
        }
        chars = []
        if let ellipsisAt {
            let count: Int
            if let rank {
                count = rank - letters
                guard count >= 0 else { throw call.failure("einsum term '\(term)' has more labels than rank \(rank)") }
            } else {
                count = -1
            }
            if count >= 0 {
                labels.insert(contentsOf: (0..<count).map { 1000 + (count - 1 - $0) }, at: ellipsisAt)
            } else {
                labels.insert(-1, at: ellipsisAt)  // placeholder for the output term
            }
        } else if let rank, letters != rank {
            throw call.failure("einsum term '\(term)' has \(letters) labels for an operand of rank \(rank)")
        }
        return labels
    }

    static func einsum(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        guard let equation = call.string("equation") else { throw call.failure("equation is missing") }
        let cleaned = equation.filter { !$0.isWhitespace }
        let sides = cleaned.split(separator: "->", omittingEmptySubsequences: false).map(String.init)
        guard sides.count <= 2 else { throw call.failure("bad einsum equation '\(equation)'") }
        let inputTerms = sides[0].split(separator: ",", omittingEmptySubsequences: false)
        let operands = call.inputs.compactMap { $0 }
        guard inputTerms.count == operands.count, !operands.isEmpty else {
            throw call.failure("einsum equation has \(inputTerms.count) terms for \(operands.count) inputs")
        }
        var termLabels: [[Int]] = []
        var sizes: [Int: Int] = [:]
        var ellipsisRank = 0
        for (term, operand) in zip(inputTerms, operands) {
            let labels = try parseTerm(term, rank: operand.rank, call)
            for (axis, label) in labels.enumerated() {
                let dim = operand.shape[axis]
                if let known = sizes[label], known != dim {
                    if known == 1 {
                        sizes[label] = dim
                    } else if dim != 1 {
                        throw call.failure("einsum label sizes differ (\(known) and \(dim))")
                    }
                } else if sizes[label] == nil {
                    sizes[label] = dim
                }
                if label >= 1000 { ellipsisRank = Swift.max(ellipsisRank, label - 999) }
            }
            termLabels.append(labels)
        }
        let ellipsisLabels = (0..<ellipsisRank).map { 1000 + (ellipsisRank - 1 - $0) }
        var outputLabels: [Int]
        if sides.count == 2 {
            let parsed = try parseTerm(Substring(sides[1]), rank: nil, call)
            outputLabels = []
            for label in parsed {
                if label == -1 {
                    outputLabels.append(contentsOf: ellipsisLabels)
                } else {
                    guard sizes[label] != nil else { throw call.failure("output label is not in any input") }
                    guard !outputLabels.contains(label) else { throw call.failure("output label repeats") }
                    outputLabels.append(label)
                }
            }
        } else {
            var counts: [Int: Int] = [:]
            for labels in termLabels { for l in labels where l < 1000 { counts[l, default: 0] += 1 } }
            outputLabels = ellipsisLabels + counts.filter { $0.value == 1 }.keys.sorted()
        }
        let allLabels = outputLabels + sizes.keys.filter { !outputLabels.contains($0) }.sorted()
        let dims = allLabels.map { sizes[$0]! }
        let outShape = outputLabels.map { sizes[$0]! }
        let outCount = try call.elementCount(outShape)
        _ = try call.elementCount(dims)
        if let product = try contractPair(termLabels, operands, outputLabels: outputLabels, sizes: sizes, call) {
            return [product]
        }
        // Strides of every label in every operand (repeated labels add: diagonals).
        var values: [[Double]] = []
        var labelStrides: [[Int]] = []
        for (labels, operand) in zip(termLabels, operands) {
            guard let v = Numbers(operand.elements)?.doubles else { throw call.failure("einsum inputs must be numeric") }
            values.append(v)
            var axisStrides = [Int](repeating: 1, count: operand.rank)
            for a in stride(from: operand.rank - 2, through: 0, by: -1) { axisStrides[a] = axisStrides[a + 1] * operand.shape[a + 1] }
            var perLabel = [Int](repeating: 0, count: allLabels.count)
            for (axis, label) in labels.enumerated() where operand.shape[axis] != 1 || sizes[label] == 1 {
                perLabel[allLabels.firstIndex(of: label)!] += axisStrides[axis]
            }
            labelStrides.append(perLabel)
        }
        var result = [Double](repeating: 0, count: outCount)
        let total = dims.reduce(1, *)
        if total > 0 {
            let innerCount = dims[outputLabels.count...].reduce(1, *)
            var index = [Int](repeating: 0, count: dims.count)
            var offsets = [Int](repeating: 0, count: operands.count)
            for flat in 0..<total {
                var product = 1.0
                for o in 0..<operands.count { product *= values[o][offsets[o]] }
                result[flat / innerCount] += product
                var axis = dims.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    for o in 0..<operands.count { offsets[o] += labelStrides[o][axis] }
                    if index[axis] < dims[axis] { break }
                    for o in 0..<operands.count { offsets[o] -= labelStrides[o][axis] * dims[axis] }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        return [DenseTensor(shape: outShape, elements: Numbers.double(result).elements(as: operands[0].dataType))]
    }

    /// Two operands without diagonals, broadcasting or lone summed labels:
    /// a batched matrix product through BLAS. Nil when it does not apply.
    static func contractPair(
        _ termLabels: [[Int]], _ operands: [DenseTensor], outputLabels: [Int], sizes: [Int: Int], _ call: KernelCall
    ) throws(RuntimeError) -> DenseTensor? {
        guard operands.count == 2 else { return nil }
        let la = termLabels[0], lb = termLabels[1]
        guard Set(la).count == la.count, Set(lb).count == lb.count else { return nil }
        for (labels, operand) in zip(termLabels, operands) {
            for (axis, label) in labels.enumerated() where operand.shape[axis] != sizes[label] { return nil }
        }
        let output = Set(outputLabels), setA = Set(la), setB = Set(lb)
        for label in la where !output.contains(label) && !setB.contains(label) { return nil }
        for label in lb where !output.contains(label) && !setA.contains(label) { return nil }
        let batch = outputLabels.filter { setA.contains($0) && setB.contains($0) }
        let left = outputLabels.filter { setA.contains($0) && !setB.contains($0) }
        let right = outputLabels.filter { setB.contains($0) && !setA.contains($0) }
        let contracted = la.filter { setB.contains($0) && !output.contains($0) }
        guard batch.count + left.count + right.count == outputLabels.count else { return nil }
        guard let na = Numbers(operands[0].elements), let nb = Numbers(operands[1].elements) else { return nil }
        switch (na, nb) {
        case (.float, .float), (.double, .double): break
        default: return nil
        }
        let permA = (batch + left + contracted).map { la.firstIndex(of: $0)! }
        let permB = (batch + contracted + right).map { lb.firstIndex(of: $0)! }
        let a = operands[0].permuted(permA), b = operands[1].permuted(permB)
        func product(_ labels: [Int]) -> Int { labels.reduce(1) { $0 * sizes[$1]! } }
        let batchCount = product(batch), m = product(left), n = product(right), k = product(contracted)
        let resultLabels = batch + left + right
        let resultShape = resultLabels.map { sizes[$0]! }
        _ = try call.elementCount(resultShape)
        let batches = Array(0..<batchCount)
        let elements: TensorElements
        switch (Numbers(a.elements), Numbers(b.elements)) {
        case (.double(let av)?, .double(let bv)?):
            elements = .double(LinearAlgebraKernels.batchedGemm(av, bv, batches, batches, m, k, n, LinearAlgebraKernels.dgemm))
        case (.float(let av)?, .float(let bv)?):
            let c = LinearAlgebraKernels.batchedGemm(av, bv, batches, batches, m, k, n, LinearAlgebraKernels.sgemm)
            elements = Numbers.float(c).elements(as: operands[0].dataType)
        default: return nil
        }
        let result = DenseTensor(shape: resultShape, elements: elements)
        return result.permuted(outputLabels.map { resultLabels.firstIndex(of: $0)! })
    }

    // MARK: Det

    static func det(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        guard x.rank >= 2, x.shape[x.rank - 1] == x.shape[x.rank - 2] else {
            throw call.failure("Det needs square matrices in the last two dims, got \(x.shape)")
        }
        guard let values = Numbers(x.elements)?.doubles else { throw call.failure("input must be numeric") }
        let m = x.shape[x.rank - 1]
        let batchShape = Array(x.shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        var result = [Double](repeating: 0, count: batch)
        for b in 0..<batch {
            var a = Array(values[(b * m * m)..<((b + 1) * m * m)])
            var d = 1.0
            for col in 0..<m {
                var pivot = col
                for r in (col + 1)..<Swift.max(m, col + 1) where abs(a[r * m + col]) > abs(a[pivot * m + col]) { pivot = r }
                if a[pivot * m + col] == 0 {
                    d = 0
                    break
                }
                if pivot != col {
                    for j in 0..<m { a.swapAt(col * m + j, pivot * m + j) }
                    d = -d
                }
                let p = a[col * m + col]
                d *= p
                for r in (col + 1)..<Swift.max(m, col + 1) {
                    let f = a[r * m + col] / p
                    if f == 0 { continue }
                    for j in col..<m { a[r * m + j] -= f * a[col * m + j] }
                }
            }
            result[b] = d
        }
        return [DenseTensor(shape: batchShape, elements: Numbers.double(result).elements(as: x.dataType))]
    }
}
