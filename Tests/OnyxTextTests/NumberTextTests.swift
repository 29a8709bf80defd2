import OnyxIR
import OnyxText
import Testing

/// Numbers at the edges of each type, in the ONNX textual syntax: the text
/// below is `onnx.printer.to_text` of a model with these initializers (onnx
/// 1.23.2, numpy building the tensors), so both the printer and the
/// parser are held to bytes another tool wrote.
@Suite struct NumberTextTests {
    static let text = OnnxTextSyntaxTests.header + """
        g () => (float[] f) 
           <float[25] f =  {0,-0,1e-45,1.1754944e-38,3.4028235e+38,-3.4028235e+38,inf,-inf,1e-19,999999936,1e+09,\
        16777216,123456792,0.1,1e-04,1e-05,100,1.5,-0.3,5.9604645e-08,1e-07,0.05,79541493760,nan,-nan}, \
        double[9] d =  {5e-324,2.2250738585072014e-308,1.7976931348623157e+308,0.1,1e+22,1e+23,-0,\
        0.3333333333333333,1180591620717411303424}, float16[4] h =  {15360,49152,31743,1}>
        {
        }

        """

    /// The float32 bit patterns of `f` above, as numpy has them.
    static let floatBits: [UInt32] = [
        0x0000_0000, 0x8000_0000, 0x0000_0001, 0x0080_0000, 0x7F7F_FFFF, 0xFF7F_FFFF, 0x7F80_0000, 0xFF80_0000,
        0x1FEC_1E4A, 0x4E6E_6B27, 0x4E6E_6B28, 0x4B80_0000, 0x4CEB_79A3, 0x3DCC_CCCD, 0x38D1_B717, 0x3727_C5AC,
        0x42C8_0000, 0x3FC0_0000, 0xBE99_999A, 0x3380_0000, 0x33D6_BF95, 0x3D4C_CCCD, 0x5194_2857,
    ]

    @Test func edgeValuesPrintAsOnnxPrintsThem() throws {
        let model = try parse(Self.text)
        #expect(try printed(model) == Self.text)
        let tensors = Dictionary(uniqueKeysWithValues: try #require(model.graph).initializers.map { ($0.name, $0.initializer!) })
        guard case .field(.float(let floats)) = tensors["f"]?.storage else {
            Issue.record("f is not in float_data")
            return
        }
        // 999999936 (not 999999940) and 79541493760: a whole number in
        // fixed notation is written with its exact digits, as printf's %f.
        #expect(floats.prefix(Self.floatBits.count).map(\.bitPattern) == Self.floatBits)
        #expect(floats[23].isNaN && floats[23].sign == .plus && floats[24].isNaN && floats[24].sign == .minus)
        guard case .field(.double(let doubles)) = tensors["d"]?.storage else {
            Issue.record("d is not in double_data")
            return
        }
        #expect(doubles.map(\.bitPattern) == [
            0x1, 0x0010_0000_0000_0000, 0x7FEF_FFFF_FFFF_FFFF, 0x3FB9_9999_9999_999A, 0x4480_F0CF_064D_D592,
            0x44B5_2D02_C7E1_4AF6, 0x8000_0000_0000_0000, 0x3FD5_5555_5555_5555, 0x4450_0000_0000_0000,
        ])
    }

    /// Literals onnx's printer never writes but a person may: each must
    /// read as C's `strtof` reads it (the bit patterns are its results).
    @Test(arguments: [
        ("1", 0x3F80_0000), ("-0", 0x8000_0000), ("5.", 0x40A0_0000), ("2.5e-3", 0x3B23_D70A),
        ("0.000001", 0x3586_37BD), ("123456789", 0x4CEB_79A3), ("1e-45", 0x0000_0001), ("1e-50", 0x0000_0000),
        ("3.4028235e38", 0x7F7F_FFFF),
        // Exactly halfway between two floats: the even one.
        ("16777217", 0x4B80_0000), ("16777219", 0x4B80_0002), ("1.000000059604644775390625", 0x3F80_0000),
        // Just above halfway, with more digits than a double holds exactly:
        // rounding to a double first would land on the halfway point and
        // then on 1 (numpy's float32("1.0000000596046448") does).
        ("1.0000000596046448", 0x3F80_0001),
        ("0.100000001490116119384765625", 0x3DCC_CCCD), ("-NaN", 0xFFC0_0000), ("-Infinity", 0xFF80_0000),
    ] as [(String, UInt32)])
    func floatLiteralsReadAsStrtofReadsThem(literal: String, bits: UInt32) throws {
        let model = try parse(Self.tensorText("float", literal))
        guard case .field(.float(let floats)) = try #require(model.graph).initializers.first?.initializer?.storage else {
            Issue.record("no float_data")
            return
        }
        if Float(bitPattern: bits).isNaN {
            #expect(floats[0].isNaN && floats[0].sign == Float(bitPattern: bits).sign)
        } else {
            #expect(floats[0].bitPattern == bits)
        }
    }

    @Test(arguments: [
        ("0.1", 0x3FB9_9999_9999_999A), ("9007199254740993", 0x4340_0000_0000_0000), ("4.9e-324", 0x1),
        ("1.7976931348623157e308", 0x7FEF_FFFF_FFFF_FFFF), ("1e22", 0x4480_F0CF_064D_D592),
        ("123456789012345678", 0x437B_69B4_BA63_0F35),
    ] as [(String, UInt64)])
    func doubleLiteralsReadCorrectlyRounded(literal: String, bits: UInt64) throws {
        let model = try parse(Self.tensorText("double", literal))
        guard case .field(.double(let doubles)) = try #require(model.graph).initializers.first?.initializer?.storage else {
            Issue.record("no double_data")
            return
        }
        #expect(doubles[0].bitPattern == bits)
    }

    @Test(arguments: [
        ("3.4028236e38", "3.4028236e38 is out of range for a float"), ("1e", "1e is out of range for a float"),
        ("1.2.3", "expected '}' to close the tensor elements"), (".5", "expected a tensor element, found '.'"),
        ("--1", "expected a tensor element, found number -"),
    ])
    func badFloatLiteralsAreRefused(literal: String, message: String) {
        #expect {
            try parse(Self.tensorText("float", literal))
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    static func tensorText(_ type: String, _ literal: String) -> String {
        OnnxTextSyntaxTests.header + "g () => (\(type)[1] t) \n   <\(type)[1] t =  {\(literal)}>\n{\n}\n"
    }
}
