import COnnxProto
import Foundation
import OnyxConformanceSupport
import OnyxTestSupport
import Testing

/// schemas/onnx.proto is written by us; its field numbers, labels, types and
/// packing must match the pinned onnx package exactly. This compares the
/// descriptors protoc-c generated against the Python package's own.
@Suite struct WireSchemaTests {
    static let typeNames = [
        "int32", "sint32", "sfixed32", "int64", "sint64", "sfixed64", "uint32", "fixed32", "uint64", "fixed64",
        "float", "double", "bool", "enum", "string", "bytes", "message",
    ]

    /// The same lines scripts/dump-onnx-descriptors.py prints, from protobuf-c.
    func ourLines() -> Set<String> {
        var lines = Set<String>()
        var visited = Set<String>()
        func enumLines(_ e: UnsafePointer<ProtobufCEnumDescriptor>) {
            let name = String(cString: e.pointee.name)
            guard visited.insert(name).inserted else { return }
            for index in 0..<Int(e.pointee.n_values) {
                let value = e.pointee.values[index]
                lines.insert("enum \(name) \(String(cString: value.name)) \(value.value)")
            }
        }
        func messageLines(_ m: UnsafePointer<ProtobufCMessageDescriptor>) {
            let name = String(cString: m.pointee.name)
            guard visited.insert(name).inserted else { return }
            for index in 0..<Int(m.pointee.n_fields) {
                let f = m.pointee.fields[index]
                let isOneof = f.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0
                let label = ["required", "optional", "repeated", "optional"][Int(f.label.rawValue)]
                var kind = Self.typeNames[Int(f.type.rawValue)]
                if f.type == PROTOBUF_C_TYPE_MESSAGE {
                    let target = f.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                    kind += ":" + String(cString: target.pointee.name)
                    messageLines(target)
                } else if f.type == PROTOBUF_C_TYPE_ENUM {
                    let target = f.descriptor.assumingMemoryBound(to: ProtobufCEnumDescriptor.self)
                    kind += ":" + String(cString: target.pointee.name)
                    enumLines(target)
                }
                let packed = f.flags & UInt32(PROTOBUF_C_FIELD_FLAG_PACKED.rawValue) != 0 ? "packed" : "-"
                lines.insert("field \(name) \(String(cString: f.name)) \(f.id) \(label) \(kind) \(packed) \(isOneof ? "oneof" : "-")")
            }
        }
        for root in [
            withUnsafePointer(to: onnx__model_proto__descriptor) { $0 }, withUnsafePointer(to: onnx__sequence_proto__descriptor) { $0 },
            withUnsafePointer(to: onnx__map_proto__descriptor) { $0 }, withUnsafePointer(to: onnx__optional_proto__descriptor) { $0 },
        ] {
            messageLines(root)
        }
        enumLines(withUnsafePointer(to: onnx__version__descriptor) { $0 })
        enumLines(withUnsafePointer(to: onnx__tensor_proto__data_type__descriptor) { $0 })
        enumLines(withUnsafePointer(to: onnx__operator_status__descriptor) { $0 })
        enumLines(withUnsafePointer(to: onnx__sequence_proto__data_type__descriptor) { $0 })
        enumLines(withUnsafePointer(to: onnx__optional_proto__data_type__descriptor) { $0 })
        return lines
    }

    @Test func fieldsMatchThePinnedOnnxPackage() throws {
        let script = try String(
            contentsOf: ConformanceData.repositoryRoot.appendingPathComponent("scripts/dump-onnx-descriptors.py"), encoding: .utf8)
        let result = try PythonOracle.run(script)
        try #require(result.status == 0, "\(result.err)")
        let theirs = Set(result.out.split(separator: "\n").map(String.init))
        let ours = ourLines()
        #expect(theirs.count > 200)
        #expect(ours.subtracting(theirs).sorted() == [], "in schemas/onnx.proto but not in onnx")
        #expect(theirs.subtracting(ours).sorted() == [], "in onnx but not in schemas/onnx.proto")
    }
}
