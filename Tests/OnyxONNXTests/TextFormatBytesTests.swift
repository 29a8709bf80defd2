import OnyxIR
import OnyxONNX
import Testing

/// Bytes fields, which carry a model's weights (`raw_data`), in protobuf
/// JSON (base64) and text format (C escapes): every byte value, against the
/// texts Python's json_format and text_format write (protobuf 7.36.2).
@Suite struct TextFormatBytesTests {
    /// `text_format.MessageToString` of a ModelProto whose one initializer
    /// holds the bytes 0 to 255.
    static let textproto = ##"""
        graph {
          initializer {
            dims: 256
            data_type: 2
            name: "w"
            raw_data: "\000\001\002\003\004\005\006\007\010\t\n\013\014\r\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037 !\"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\177\200\201\202\203\204\205\206\207\210\211\212\213\214\215\216\217\220\221\222\223\224\225\226\227\230\231\232\233\234\235\236\237\240\241\242\243\244\245\246\247\250\251\252\253\254\255\256\257\260\261\262\263\264\265\266\267\270\271\272\273\274\275\276\277\300\301\302\303\304\305\306\307\310\311\312\313\314\315\316\317\320\321\322\323\324\325\326\327\330\331\332\333\334\335\336\337\340\341\342\343\344\345\346\347\350\351\352\353\354\355\356\357\360\361\362\363\364\365\366\367\370\371\372\373\374\375\376\377"
          }
        }
        
        """##

    /// `json_format.MessageToJson` of the same, plus the newline Onyx ends
    /// a file with.
    static let json = ##"""
        {
          "graph": {
            "initializer": [
              {
                "dims": [
                  "256"
                ],
                "dataType": 2,
                "name": "w",
                "rawData": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w=="
              }
            ]
          }
        }
        """## + "\n"

    @Test func everyByteValueWritesAsPythonWritesIt() throws {
        let model = try decode(Self.textproto, .textproto)
        guard case .raw(let storage)? = model.graph?.initializers.first?.initializer?.storage else {
            Issue.record("the initializer has no raw data")
            return
        }
        #expect(Array(storage.bytes) == Array(0...255))
        #expect(String(decoding: try ModelCodec.encode(model, as: .textproto), as: UTF8.self) == Self.textproto)
        #expect(String(decoding: try ModelCodec.encode(model, as: .json), as: UTF8.self) == Self.json)
        let fromJSON = try decode(Self.json, .json)
        #expect(try ModelCodec.encode(fromJSON, as: .textproto) == Array(Self.textproto.utf8))
    }

    /// protobuf's JSON parsers take URL-safe base64 and leave the padding
    /// optional; anything else is an error, not a guess.
    @Test(arguments: [
        ("+/+/", [0xFB, 0xFF, 0xBF]), ("-_-_", [0xFB, 0xFF, 0xBF]), ("QQ==", [0x41]), ("QQ", [0x41]),
        ("QUI", [0x41, 0x42]), ("", []),
    ] as [(String, [UInt8])])
    func base64Variants(text: String, bytes: [UInt8]) throws {
        let model = try decode(#"{"graph": {"initializer": [{"dataType": 2, "dims": ["\#(bytes.count)"], "rawData": "\#(text)"}]}}"#, .json)
        let storage = model.graph?.initializers.first?.initializer?.storage
        #expect(storage?.rawBytes.map(Array.init) ?? [] == bytes)
    }

    @Test(arguments: ["====", "Q", "QQ=A=", "QQ==QQ==", " QQ==", "QQ\\n"])
    func badBase64IsRefused(text: String) {
        #expect(throws: ONNXError.self) {
            try decode(#"{"graph": {"initializer": [{"rawData": "\#(text)"}]}}"#, .json)
        }
    }

    /// A high surrogate escape followed by an escape that is no low one
    /// (this trapped on arithmetic overflow), or by nothing.
    @Test(arguments: [#"\ud800\u0041"#, #"\ud800x"#, #"\udc00"#])
    func unpairedSurrogatesAreErrors(escape: String) {
        #expect {
            try decode(#"{"graph": {"name": "\#(escape)"}}"#, .json)
        } throws: { error in
            "\(error)".contains("escape")
        }
    }

    private func decode(_ text: String, _ format: ModelFormat) throws -> Model {
        try Array(text.utf8).withUnsafeBytes { try ModelCodec.decode($0, as: format) }
    }
}
