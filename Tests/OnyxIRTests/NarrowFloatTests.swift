import OnyxIR
import OnyxTestSupport
import Testing

/// Every narrow format, bit for bit, against the pinned onnx's reference Cast
/// (onnx.reference.ops.op_cast.cast_to, i.e. ml_dtypes and
/// onnx.numpy_helper.saturate_cast / to_float8e8m0). The Python side makes
/// the inputs and the expected patterns, so a broken rounding, special case
/// or decoding here shows as a mismatch.
@Suite struct NarrowFloatTests {
    @Test(arguments: Format.all) func decodesEveryBitPatternLikeOnnx(format: Format) throws {
        let expected = try #require(try Self.oracle.get().decoded[format.description])
        #expect(expected.count == 1 << format.bitWidth)
        var mismatches: [String] = []
        for (pattern, bits) in expected.enumerated() {
            let want = Float(bitPattern: bits), got = format.decode(UInt64(pattern))
            if got.bitPattern != bits && !(got.isNaN && want.isNaN) {
                mismatches.append("0x\(hex(pattern)): expected \(want) (0x\(hex(bits))), got \(got) (0x\(hex(got.bitPattern)))")
            }
        }
        #expect(mismatches.isEmpty, "\(format): \(mismatches.count) of \(expected.count) differ; first: \(mismatches.prefix(8))")
    }

    /// Columns: saturate from the Double, from the Double rounded to Float,
    /// then both again without saturate. The Double column expects one exact
    /// rounding (onnx's own double Cast rounds through float32 first).
    @Test(arguments: Format.all.filter { $0.description != "Float8E8M0" })
    func encodesLikeOnnxCast(format: Format) throws {
        let rows = try #require(try Self.oracle.get().rows[format.description])
        #expect(rows.count > 1000)
        var mismatches: [String] = []
        for row in rows {
            let value = Double(bitPattern: row[0])
            for (column, saturate) in [(1, true), (3, false)] {
                let fromDouble = format.encode(value, saturate), fromFloat = format.encodeFloat(Float(value), saturate)
                if !format.matches(row[column], fromDouble) {
                    mismatches.append(mismatch(value, "saturate \(saturate), from Double", row[column], fromDouble))
                }
                if !format.matches(row[column + 1], fromFloat) {
                    mismatches.append(mismatch(value, "saturate \(saturate), from Float \(Float(value))", row[column + 1], fromFloat))
                }
            }
        }
        #expect(mismatches.isEmpty, "\(format): \(mismatches.count) differ; first: \(mismatches.prefix(8))")
    }

    /// Columns: up, down, nearest with saturate, then without. The protocol
    /// initializers round up, Cast's default.
    @Test func float8E8M0RoundsLikeOnnx() throws {
        let rows = try #require(try Self.oracle.get().rows["Float8E8M0"])
        #expect(rows.count > 1000)
        let modes = [true, false].flatMap { saturate in Float8E8M0.Rounding.allCases.map { (saturate, $0) } }
        #expect(modes.map(\.1) == [.up, .down, .nearest, .up, .down, .nearest])
        var mismatches: [String] = []
        for row in rows {
            let value = Double(bitPattern: row[0])
            for (column, (saturate, rounding)) in modes.enumerated() {
                let got = UInt64(Float8E8M0(value, saturate: saturate, rounding: rounding).bitPattern)
                if got != row[column + 1] { mismatches.append(mismatch(value, "saturate \(saturate), \(rounding)", row[column + 1], got)) }
            }
            for (column, saturate) in [(1, true), (4, false)] {
                let fromDouble = UInt64(Float8E8M0(value, saturate: saturate).bitPattern)
                let fromFloat = UInt64(Float8E8M0(Float(value), saturate: saturate).bitPattern)
                if fromDouble != row[column] { mismatches.append(mismatch(value, "saturate \(saturate), default", row[column], fromDouble)) }
                if fromFloat != row[column] { mismatches.append(mismatch(value, "saturate \(saturate), from Float", row[column], fromFloat)) }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) differ; first: \(mismatches.prefix(8))")
    }

    @Test func specialValuesFollowTheCastTables() {
        #expect(Float8E4M3FN(464, saturate: false).bitPattern == 0x7E)  // the tie goes to even 448
        #expect(Float8E4M3FN(465, saturate: false).bitPattern == 0x7F)
        #expect(Float8E4M3FN(-.infinity, saturate: true).bitPattern == 0xFE)
        #expect(Float8E4M3FN(-.infinity, saturate: false).bitPattern == 0xFF)
        #expect(Float8E4M3FNUZ(-0.0, saturate: false).bitPattern == 0)
        #expect(Float8E4M3FNUZ(.infinity, saturate: false).bitPattern == 0x80)
        #expect(Float8E5M2(1e6, saturate: false).bitPattern == 0x7C)
        #expect(Float8E5M2(1e6, saturate: true).bitPattern == 0x7B)
        #expect(Float8E5M2FNUZ(-.nan, saturate: true).bitPattern == 0x80)
        #expect(BFloat16(1e39, saturate: true).bitPattern == 0x7F80)
        #expect(Float4E2M1(.nan, saturate: true).bitPattern == 0x8)
        #expect(Float4E2M1(-7, saturate: false).bitPattern == 0xF)
        #expect(Float6E3M2(.infinity, saturate: false).floatValue == 28)
        #expect(Float8E8M0(0, saturate: true).floatValue == 0x1p-127)
        #expect(Float8E8M0(.infinity, saturate: true).floatValue.isNaN)
        #expect(Float8E8M0(-3, saturate: false, rounding: .nearest).floatValue == 4)
        #expect(Float8E8M0(0x1.8p127, saturate: true, rounding: .up).bitPattern == 0xFE)
        #expect(Float8E8M0(0x1.8p127, saturate: false, rounding: .up).bitPattern == 0xFF)
    }

    @Test func patternsKeepOnlyTheirWidth() {
        #expect(Float4E2M1(bitPattern: 0xF3).bitPattern == 0x3)
        #expect(Float6E2M3(bitPattern: 0xFF).bitPattern == 0x3F)
        #expect(Float4E2M1.bitWidth == 4 && Float6E3M2.bitWidth == 6 && Float8E8M0.bitWidth == 8 && BFloat16.bitWidth == 16)
        #expect(Float4E2M1(bitPattern: 0x7).description == "6.0")
        #expect(Float8E4M3FN(bitPattern: 0x00) != Float8E4M3FN(bitPattern: 0x80))  // encodings, not values
    }
}

extension NarrowFloatTests {
    /// One format under test, with Float16 (Swift's own; saturate does not
    /// apply) beside the NarrowFloat types.
    struct Format: Sendable, CustomStringConvertible {
        let description: String
        let bitWidth: Int
        let decode: @Sendable (UInt64) -> Float
        let encode: @Sendable (Double, Bool) -> UInt64
        let encodeFloat: @Sendable (Float, Bool) -> UInt64
        /// Whether an encoding is what onnx gives (for Float16, up to NaN payloads).
        let matches: @Sendable (_ expected: UInt64, _ actual: UInt64) -> Bool

        init<T: NarrowFloat>(_: T.Type) {
            description = "\(T.self)"
            bitWidth = T.bitWidth
            decode = { T(bitPattern: T.BitPattern(truncatingIfNeeded: $0)).floatValue }
            encode = { UInt64(T($0, saturate: $1).bitPattern) }
            encodeFloat = { UInt64(T($0, saturate: $1).bitPattern) }
            matches = { $0 == $1 }
        }

        #if !(os(macOS) && arch(x86_64))  // Float16 is unavailable on Intel Macs
        static let float16 = Format(
            description: "Float16", bitWidth: 16, decode: { Float(Float16(bitPattern: UInt16(truncatingIfNeeded: $0))) },
            encode: { value, _ in UInt64(Float16(value).bitPattern) },
            encodeFloat: { value, _ in UInt64(Float16(value).bitPattern) },
            // Swift quiets signaling NaNs where numpy keeps them signaling.
            matches: { expected, actual in
                let (want, got) = (Float16(bitPattern: UInt16(expected)), Float16(bitPattern: UInt16(actual)))
                return expected == actual || (want.isNaN && got.isNaN && want.sign == got.sign)
            })
        #endif

        private init(
            description: String, bitWidth: Int, decode: @escaping @Sendable (UInt64) -> Float,
            encode: @escaping @Sendable (Double, Bool) -> UInt64, encodeFloat: @escaping @Sendable (Float, Bool) -> UInt64,
            matches: @escaping @Sendable (UInt64, UInt64) -> Bool
        ) {
            (self.description, self.bitWidth, self.decode) = (description, bitWidth, decode)
            (self.encode, self.encodeFloat, self.matches) = (encode, encodeFloat, matches)
        }

        static let all: [Format] = {
            var formats = [
                Format(BFloat16.self), Format(Float8E4M3FN.self), Format(Float8E4M3FNUZ.self), Format(Float8E5M2.self),
                Format(Float8E5M2FNUZ.self), Format(Float8E8M0.self), Format(Float4E2M1.self), Format(Float6E2M3.self),
                Format(Float6E3M2.self),
            ]
            #if !(os(macOS) && arch(x86_64))
            formats.append(float16)
            #endif
            return formats
        }()
    }
}

private func hex<T: BinaryInteger>(_ value: T) -> String { String(value, radix: 16) }

private func mismatch(_ value: Double, _ what: String, _ expected: UInt64, _ actual: UInt64) -> String {
    "\(value) (0x\(hex(value.bitPattern))) \(what): expected 0x\(hex(expected)), got 0x\(hex(actual))"
}

extension NarrowFloatTests {
    /// What the Python side printed: decoded Float32 bits of every pattern, and
    /// rows of input double bits followed by expected patterns, per type.
    struct Oracle: Sendable {
        var decoded: [String: [UInt32]] = [:]
        var rows: [String: [[UInt64]]] = [:]

        struct Failure: Error, CustomStringConvertible {
            let description: String
        }

        init() throws {
            let (status, out, err) = try PythonOracle.run(Self.script)
            guard status == 0 else { throw Failure(description: "oracle exited \(status): \(err)") }
            for line in out.split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields[0] == "decode" {
                    let digits = Array(fields[2].utf8)
                    decoded[String(fields[1])] = stride(from: 0, to: digits.count, by: 8).map {
                        UInt32(String(decoding: digits[$0..<$0 + 8], as: UTF8.self), radix: 16)!
                    }
                } else {
                    rows[String(fields[0]), default: []].append(fields.dropFirst().map { UInt64($0, radix: 16)! })
                }
            }
        }

        static let script = #"""
            # Prints, for each ONNX narrow float type, what onnx 1.23's reference Cast
            # gives. Doubles and results travel as hex bit patterns.
            #   decode <type> <float32 bits of every pattern, 8 hex digits each>
            #   <type> <double bits> <expected patterns...>
            # Expected columns: with saturate from the double and from it rounded to
            # float32, then the same without saturate; for Float8E8M0 up, down and
            # nearest with saturate, then without.
            import warnings
            import numpy as np
            import onnx
            from onnx import TensorProto as T
            from onnx.numpy_helper import to_float8e8m0
            from onnx.reference.ops.op_cast import cast_to

            warnings.simplefilter("ignore")
            rng = np.random.default_rng(0x0A1E)
            TYPES = {
                "BFloat16": (T.BFLOAT16, 16), "Float8E4M3FN": (T.FLOAT8E4M3FN, 8),
                "Float8E4M3FNUZ": (T.FLOAT8E4M3FNUZ, 8), "Float8E5M2": (T.FLOAT8E5M2, 8),
                "Float8E5M2FNUZ": (T.FLOAT8E5M2FNUZ, 8), "Float4E2M1": (T.FLOAT4E2M1, 4),
                "Float6E2M3": (T.FLOAT6E2M3, 6), "Float6E3M2": (T.FLOAT6E3M2, 6),
                "Float8E8M0": (T.FLOAT8E8M0, 8), "Float16": (T.FLOAT16, 16),
            }
            out = []

            def patterns_of(a, width):
                bits = a.view(np.uint16 if a.dtype.itemsize == 2 else np.uint8).astype(np.uint64)
                assert (bits >> width == 0).all()
                return bits

            def decode(to, width):
                raw = np.arange(1 << width, dtype=np.uint16 if width == 16 else np.uint8)
                return raw.view(onnx.helper.tensor_dtype_to_np_dtype(to)).astype(np.float32)

            def round_to_odd32(x):
                # Rounding to odd at float32's 24 bits and then to nearest-even at p <= 22
                # bits equals rounding to nearest-even directly (Boldo & Melquiond), so
                # feeding this to onnx's float32 Cast gives the exact RNE of the double,
                # which onnx's own double Cast (via float32, rounding twice) does not.
                f = x.astype(np.float32)
                inexact = np.isfinite(x) & (f.astype(np.float64) != x)
                t = np.where(np.abs(f.astype(np.float64)) > np.abs(x), np.nextafter(f, np.float32(0)), f)
                return np.where(inexact, (t.view(np.uint32) | 1).view(np.float32), f)

            def both_signs(v):
                v = np.asarray(v, dtype=np.float64)
                return np.concatenate([v, -v])

            def specials():
                return np.concatenate([
                    np.array([0x7FF8000000000000, 0xFFF8000000000000, 0x7FF0000000000001, 0xFFF4000000000000],
                             dtype=np.uint64).view(np.float64),
                    both_signs([0.0, np.inf, 5e-324, 1e-300, 1e300, np.finfo(np.float64).max,
                                float(np.finfo(np.float32).max), float(np.finfo(np.float32).max) * 1.5,
                                float(np.finfo(np.float32).tiny), 2.0 ** -149, 2.0 ** -150, 1.0 + 2.0 ** -30]),
                ])

            def rne_inputs(values, width):
                # Every finite value and the midpoint above it (above the largest: the
                # midpoint to where the next binade step would be), midpoints ± 1 ulp of
                # double and ± less than half an ulp of float32, fractions of the
                # smallest subnormal, and log-uniform random doubles.
                finite = values[np.isfinite(values) & (values >= 0)].astype(np.float64)
                finite = np.unique(finite)
                if width == 16:
                    keep = np.concatenate([finite[:64], finite[-64:], rng.choice(finite, 384, replace=False)])
                    finite = np.unique(keep)
                full = np.unique(values[np.isfinite(values) & (values >= 0)].astype(np.float64))
                top, below_top = full[-1], full[-2]
                above = np.searchsorted(full, finite, side="right")
                nxt = np.where(above < len(full), full[np.minimum(above, len(full) - 1)], top + (top - below_top))
                mids = (finite + nxt) / 2
                tiny = full[1]
                rand = 2.0 ** rng.uniform(np.log2(tiny) - 3, np.log2(top) + 2, 1000)
                return np.concatenate([
                    specials(),
                    both_signs(np.concatenate([
                        finite, mids, np.nextafter(mids, np.inf), np.nextafter(mids, -np.inf),
                        mids * (1 + 2.0 ** -30), mids * (1 - 2.0 ** -30),
                        [top + (top - below_top), 2 * top, tiny / 2, np.nextafter(tiny / 2, 0), tiny / 4, tiny * 0.75],
                    ])),
                    rand * rng.choice([-1.0, 1.0], rand.size),
                ])

            def e8m0_inputs():
                k = np.arange(-152, 131, dtype=np.float64)
                powers = (2.0 ** k).astype(np.float32)
                halves = (1.5 * 2.0 ** k).astype(np.float32)
                near = [np.nextafter(p, np.float32(d)) for p in (powers, halves) for d in (0, np.inf)]
                sub = 2.0 ** -127 * np.array([0.5, 1, 1 + 2.0 ** -22, 1.5, 1.75])
                rand = 2.0 ** rng.uniform(-155, 130, 1000)
                return np.concatenate([
                    specials(),
                    both_signs(np.concatenate([powers, halves, *near, sub, 2.0 ** k * (1 + 2.0 ** -30)])),
                    rand * rng.choice([-1.0, 1.0], rand.size),
                ])

            def emit(name, x, columns):
                x = x.astype(np.float64)
                rows = [x.view(np.uint64)] + columns
                out.extend(name + " " + " ".join(f"{int(c):x}" for c in row) for row in zip(*rows))

            for name, (to, width) in TYPES.items():
                values = decode(to, width)
                out.append(f"decode {name} " + "".join(f"{b:08x}" for b in values.view(np.uint32)))
                if name == "Float8E8M0":
                    x = e8m0_inputs()
                    emit(name, x, [patterns_of(to_float8e8m0(x, s, m), width)
                                   for s in (True, False) for m in ("up", "down", "nearest")])
                else:
                    # numpy rounds double to float16 directly; ml_dtypes goes through float32.
                    x = rne_inputs(values, width)
                    exact = x if name == "Float16" else round_to_odd32(x)
                    emit(name, x, [patterns_of(cast_to(v, to, s), width)
                                   for s in (True, False) for v in (exact, x.astype(np.float32))])
            print("\n".join(out))
            """#
    }

    /// Run once; a missing or failing Python fails every test that needs it.
    static let oracle = Result { try Oracle() }
}
