/// FFTPACK's mixed-radix complex transform as pocketfft's `cfftp` runs it:
/// the length factored (8s, then 4s, then one 2 moved to the front, then
/// odd factors in increasing order), one pass per factor between two
/// buffers, each pass's butterflies and twiddle products in pocketfft's
/// order of operations (see FourierTransform for why that order matters).
struct FourierPasses<T: FourierScalar> {
    typealias C = FourierComplex<T>

    private struct Factor {
        let radix: Int
        /// Twiddles of the pass, (radix − 1) × (ido − 1) of them.
        let twiddles: [C]
        /// For the general pass (radix > 11): the radix-th roots of unity.
        let roots: [C]
        /// For radix 3, 5, 7 and 11: the butterfly's weights (see
        /// `Pass.oddWeights`).
        let weights: [(x: T, y: T)]
    }
    private let length: Int
    private let factors: [Factor]

    init(length: Int) {
        self.length = length
        guard length > 1 else {
            factors = []
            return
        }
        var radices: [Int] = []
        var rest = length
        while rest & 7 == 0 { radices.append(8); rest >>= 3 }
        while rest & 3 == 0 { radices.append(4); rest >>= 2 }
        if rest & 1 == 0 {
            rest >>= 1
            radices.append(2)
            radices.swapAt(0, radices.count - 1)
        }
        var divisor = 3
        while divisor * divisor <= rest {
            while rest % divisor == 0 { radices.append(divisor); rest /= divisor }
            divisor += 2
        }
        if rest > 1 { radices.append(rest) }

        let unit = UnitRoots(length)
        var l1 = 1
        var factors: [Factor] = []
        for radix in radices {
            let ido = length / (l1 * radix)
            var twiddles = [C](repeating: .zero, count: (radix - 1) * (ido - 1))
            for j in 1..<radix {
                for i in 1..<max(ido, 1) { twiddles[(j - 1) * (ido - 1) + i - 1] = unit[j * l1 * i] }
            }
            let roots: [C] = radix > 11 ? (0..<radix).map { unit[$0 * l1 * ido] } : []
            let weights = [3, 5, 7, 11].contains(radix) ? Pass<T>.oddWeights(radix) : []
            factors.append(Factor(radix: radix, twiddles: twiddles, roots: roots, weights: weights))
            l1 *= radix
        }
        self.factors = factors
    }

    /// Transforms `values` (of the plan's length) in place, then scales
    /// them by `fct` unless it is 1.
    func run(_ values: inout [C], scale fct: T, forward: Bool) {
        if length == 1 {
            values[0] = values[0] * fct
            return
        }
        var source: [C] = []
        swap(&source, &values)
        var target = [C](repeating: .zero, count: length)
        var l1 = 1
        for factor in factors {
            let ido = length / (l1 * factor.radix)
            source.withUnsafeMutableBufferPointer { cc in
                target.withUnsafeMutableBufferPointer { ch in
                    let pass = Pass(ido: ido, l1: l1, cc: cc.baseAddress!, ch: ch.baseAddress!, forward: forward)
                    switch factor.radix {
                    case 2: pass.radix2(factor.twiddles)
                    case 4: pass.radix4(factor.twiddles)
                    case 8: pass.radix8(factor.twiddles)
                    case 3, 5, 7, 11: pass.hardCodedOdd(factor.radix, factor.twiddles, factor.weights)
                    default: pass.general(factor.radix, factor.twiddles, factor.roots)
                    }
                }
            }
            // The general pass leaves its result where it read from.
            if factor.radix <= 11 { swap(&source, &target) }
            l1 *= factor.radix
        }
        if fct != 1 {
            for index in 0..<length { source[index] = source[index] * fct }
        }
        values = source
    }
}

/// One pass over `l1` groups of `ido` numbers: reads `cc`, writes `ch`
/// (the general pass writes back into `cc`). Index helpers as FFTPACK's.
private struct Pass<T: FourierScalar> {
    typealias C = FourierComplex<T>
    let ido: Int, l1: Int
    let cc: UnsafeMutablePointer<C>, ch: UnsafeMutablePointer<C>
    let forward: Bool

    @inline(__always) func input(_ a: Int, _ b: Int, _ c: Int, radix: Int) -> C { cc[a + ido * (b + radix * c)] }
    @inline(__always) func output(_ a: Int, _ b: Int, _ c: Int, _ value: C) { ch[a + ido * (b + l1 * c)] = value }
    @inline(__always) func twiddle(_ table: [C], _ x: Int, _ i: Int) -> C { table[i - 1 + x * (ido - 1)] }

    func radix2(_ wa: [C]) {
        for k in 0..<l1 {
            let a = input(0, 0, k, radix: 2), b = input(0, 1, k, radix: 2)
            output(0, k, 0, a + b)
            output(0, k, 1, a - b)
            for i in 1..<max(ido, 1) {
                let a = input(i, 0, k, radix: 2), b = input(i, 1, k, radix: 2)
                output(i, k, 0, a + b)
                output(i, k, 1, (a - b).twiddled(twiddle(wa, 0, i), forward: forward))
            }
        }
    }

    func radix4(_ wa: [C]) {
        for k in 0..<l1 {
            for i in 0..<ido {
                func put(_ u: Int, _ value: C) {
                    output(i, k, u, i == 0 ? value : value.twiddled(twiddle(wa, u - 1, i), forward: forward))
                }
                let c0 = input(i, 0, k, radix: 4), c1 = input(i, 1, k, radix: 4)
                let c2 = input(i, 2, k, radix: 4), c3 = input(i, 3, k, radix: 4)
                let t2 = c0 + c2, t1 = c0 - c2
                let t3 = c1 + c3, t4 = (c1 - c3).quarterTurned(forward: forward)
                output(i, k, 0, t2 + t3)
                put(1, t1 + t4)
                put(2, t2 - t3)
                put(3, t1 - t4)
            }
        }
    }

    /// pocketfft's ROTX45 and ROTX135: times e^(∓πi/4) and e^(∓3πi/4).
    @inline(__always) func eighthTurned(_ a: C, _ h: T) -> C {
        forward ? C(r: h * (a.r + a.i), i: h * (a.i - a.r)) : C(r: h * (a.r - a.i), i: h * (a.i + a.r))
    }
    @inline(__always) func threeEighthsTurned(_ a: C, _ h: T) -> C {
        forward ? C(r: h * (a.i - a.r), i: h * (-a.r - a.i)) : C(r: h * (-a.r - a.i), i: h * (a.r - a.i))
    }

    func radix8(_ wa: [C]) {
        let h = T(0.707106781186547524400844362104849 as FourierArithmetic.Wide)
        for k in 0..<l1 {
            for i in 0..<ido {
                func at(_ j: Int) -> C { input(i, j, k, radix: 8) }
                // Output u, times its twiddle past the first column.
                func put(_ u: Int, _ value: C) {
                    output(i, k, u, i == 0 ? value : value.twiddled(twiddle(wa, u - 1, i), forward: forward))
                }
                var a1 = at(1) + at(5), a5 = at(1) - at(5)
                var a3 = at(3) + at(7), a7 = (at(3) - at(7)).quarterTurned(forward: forward)
                (a1, a3) = (a1 + a3, (a1 - a3).quarterTurned(forward: forward))
                (a5, a7) = (eighthTurned(a5 + a7, h), threeEighthsTurned(a5 - a7, h))
                let a0 = at(0) + at(4), a4 = at(0) - at(4)
                let a2 = at(2) + at(6), a6 = (at(2) - at(6)).quarterTurned(forward: forward)
                let (b0, b2) = (a0 + a2, a0 - a2), (b4, b6) = (a4 + a6, a4 - a6)
                output(i, k, 0, b0 + a1)
                put(4, b0 - a1)
                put(2, b2 + a3)
                put(6, b2 - a3)
                put(1, b4 + a5)
                put(5, b4 - a5)
                put(3, b6 + a7)
                put(7, b6 - a7)
            }
        }
    }

    /// cos and sin of 2πm/p for m = 1…(p−1)/2, for the odd radices pocketfft
    /// writes out (its long-double literals).
    private static func odd(_ radix: Int) -> (cos: [FourierArithmetic.Wide], sin: [FourierArithmetic.Wide]) {
        switch radix {
        case 3: return ([-0.5], [0.8660254037844386467637231707529362])
        case 5:
            return (
                [0.3090169943749474241022934171828191, -0.8090169943749474241022934171828191],
                [0.9510565162951535721164393333793821, 0.5877852522924731291687059546390728]
            )
        case 7:
            return (
                [0.6234898018587335305250048840042398, -0.2225209339563144042889025644967948,
                 -0.9009688679024191262361023195074451],
                [0.7818314824680298087084445266740578, 0.9749279121818236070181316829939312,
                 0.433883739117558120475768332848359]
            )
        default:
            return (
                [0.8412535328311811688618116489193677, 0.4154150130018864255292741492296232,
                 -0.1423148382732851404437926686163697, -0.6548607339452850640569250724662936,
                 -0.9594929736144973898903680570663277],
                [0.5406408174555975821076359543186917, 0.9096319953545183714117153830790285,
                 0.9898214418809327323760920377767188, 0.7557495743542582837740358439723444,
                 0.2817325568414296977114179153466169]
            )
        }
    }

    /// The weights of the radix-p butterfly, made once per plan: output u
    /// (1…(p−1)/2) weighs pair m by the root of index u·m mod p, mirrored
    /// (sine negated) past the half; row u − 1, column m − 1. The sines are
    /// the backward transform's; forward negates them (exactly).
    static func oddWeights(_ radix: Int) -> [(x: T, y: T)] {
        let half = (radix - 1) / 2
        let table = odd(radix)
        let cosines = table.cos.map { T($0) }, sines = table.sin.map { T($0) }
        return (1...half).flatMap { u in
            (1...half).map { m in
                let a = (u * m) % radix
                return a <= half ? (cosines[a - 1], sines[a - 1]) : (cosines[radix - a - 1], -sines[radix - a - 1])
            }
        }
    }

    /// The radix-3, 5, 7 and 11 passes: one butterfly, sums of the mirrored
    /// pairs x[m] ± x[p−m] weighted by `weights` (`oddWeights`), left to
    /// right.
    func hardCodedOdd(_ radix: Int, _ wa: [C], _ weights: [(x: T, y: T)]) {
        let half = (radix - 1) / 2
        var plus = [C](repeating: .zero, count: half), minus = [C](repeating: .zero, count: half)
        for k in 0..<l1 {
            for i in 0..<ido {
                let t0 = input(i, 0, k, radix: radix)
                var sum = t0
                for m in 1...half {
                    let a = input(i, m, k, radix: radix), b = input(i, radix - m, k, radix: radix)
                    plus[m - 1] = a + b
                    minus[m - 1] = a - b
                }
                for m in 0..<half { sum = sum + plus[m] }
                output(i, k, 0, sum)
                for u in 1...half {
                    var ca = t0
                    var cbr: T = 0, cbi: T = 0
                    for m in 0..<half {
                        let w = weights[(u - 1) * half + m]
                        let y = forward ? -w.y : w.y
                        ca = C(r: ca.r + w.x * plus[m].r, i: ca.i + w.x * plus[m].i)
                        // The first product itself, not 0 plus it, keeps
                        // the sign of a zero as pocketfft's sum does.
                        if m == 0 {
                            cbi = y * minus[m].r
                            cbr = y * minus[m].i
                        } else {
                            cbi = cbi + y * minus[m].r
                            cbr = cbr + y * minus[m].i
                        }
                    }
                    let cb = C(r: -cbr, i: cbi)
                    if i == 0 {
                        output(0, k, u, ca + cb)
                        output(0, k, radix - u, ca - cb)
                    } else {
                        output(i, k, u, (ca + cb).twiddled(twiddle(wa, u - 1, i), forward: forward))
                        output(i, k, radix - u, (ca - cb).twiddled(twiddle(wa, radix - u - 1, i), forward: forward))
                    }
                }
            }
        }
    }

    /// The general pass for a prime radix past 11, pocketfft's `passg`:
    /// works in `cc` through `ch` and leaves the result in `cc`.
    func general(_ ip: Int, _ wa: [C], _ roots: [C]) {
        let ipph = (ip + 1) / 2, idl1 = ido * l1
        @inline(__always) func chAt(_ a: Int, _ b: Int, _ c: Int) -> UnsafeMutablePointer<C> { ch + (a + ido * (b + l1 * c)) }
        @inline(__always) func cxAt(_ a: Int, _ b: Int, _ c: Int) -> UnsafeMutablePointer<C> { cc + (a + ido * (b + l1 * c)) }
        @inline(__always) func cx2(_ a: Int, _ b: Int) -> UnsafeMutablePointer<C> { cc + (a + idl1 * b) }
        @inline(__always) func ch2(_ a: Int, _ b: Int) -> C { ch[a + idl1 * b] }
        var wal = [C](repeating: C(r: 1, i: 0), count: ip)
        for i in 1..<ip { wal[i] = C(r: roots[i].r, i: forward ? -roots[i].i : roots[i].i) }

        for k in 0..<l1 {
            for i in 0..<ido { chAt(i, k, 0).pointee = input(i, 0, k, radix: ip) }
        }
        var jc = ip - 1
        for j in 1..<ipph {
            for k in 0..<l1 {
                for i in 0..<ido {
                    let a = input(i, j, k, radix: ip), b = input(i, jc, k, radix: ip)
                    chAt(i, k, j).pointee = a + b
                    chAt(i, k, jc).pointee = a - b
                }
            }
            jc -= 1
        }
        for k in 0..<l1 {
            for i in 0..<ido {
                var sum = chAt(i, k, 0).pointee
                for j in 1..<ipph { sum = sum + chAt(i, k, j).pointee }
                cxAt(i, k, 0).pointee = sum
            }
        }
        var lc = ip - 1
        for l in 1..<ipph {
            for ik in 0..<idl1 {
                cx2(ik, l).pointee = C(
                    r: ch2(ik, 0).r + wal[l].r * ch2(ik, 1).r + wal[2 * l].r * ch2(ik, 2).r,
                    i: ch2(ik, 0).i + wal[l].r * ch2(ik, 1).i + wal[2 * l].r * ch2(ik, 2).i)
                cx2(ik, lc).pointee = C(
                    r: -wal[l].i * ch2(ik, ip - 1).i - wal[2 * l].i * ch2(ik, ip - 2).i,
                    i: wal[l].i * ch2(ik, ip - 1).r + wal[2 * l].i * ch2(ik, ip - 2).r)
            }
            var iwal = 2 * l
            var j = 3, jc = ip - 3
            func step() -> C {
                iwal += l
                if iwal > ip { iwal -= ip }
                return wal[iwal]
            }
            while j < ipph - 1 {
                let w = step(), w2 = step()
                for ik in 0..<idl1 {
                    let x = cx2(ik, l), y = cx2(ik, lc)
                    x.pointee.r += ch2(ik, j).r * w.r + ch2(ik, j + 1).r * w2.r
                    x.pointee.i += ch2(ik, j).i * w.r + ch2(ik, j + 1).i * w2.r
                    y.pointee.r -= ch2(ik, jc).i * w.i + ch2(ik, jc - 1).i * w2.i
                    y.pointee.i += ch2(ik, jc).r * w.i + ch2(ik, jc - 1).r * w2.i
                }
                j += 2
                jc -= 2
            }
            while j < ipph {
                let w = step()
                for ik in 0..<idl1 {
                    let x = cx2(ik, l), y = cx2(ik, lc)
                    x.pointee.r += ch2(ik, j).r * w.r
                    x.pointee.i += ch2(ik, j).i * w.r
                    y.pointee.r -= ch2(ik, jc).i * w.i
                    y.pointee.i += ch2(ik, jc).r * w.i
                }
                j += 1
                jc -= 1
            }
            lc -= 1
        }
        // Shuffling and twiddling.
        jc = ip - 1
        for j in 1..<ipph {
            if ido == 1 {
                for ik in 0..<idl1 {
                    let t1 = cx2(ik, j).pointee, t2 = cx2(ik, jc).pointee
                    cx2(ik, j).pointee = t1 + t2
                    cx2(ik, jc).pointee = t1 - t2
                }
            } else {
                for k in 0..<l1 {
                    let t1 = cxAt(0, k, j).pointee, t2 = cxAt(0, k, jc).pointee
                    cxAt(0, k, j).pointee = t1 + t2
                    cxAt(0, k, jc).pointee = t1 - t2
                    for i in 1..<ido {
                        let a = cxAt(i, k, j).pointee, b = cxAt(i, k, jc).pointee
                        cxAt(i, k, j).pointee = (a + b).twiddled(wa[(j - 1) * (ido - 1) + i - 1], forward: forward)
                        cxAt(i, k, jc).pointee = (a - b).twiddled(wa[(jc - 1) * (ido - 1) + i - 1], forward: forward)
                    }
                }
            }
            jc -= 1
        }
    }
}
