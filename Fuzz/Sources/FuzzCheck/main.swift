import FuzzSupport
import OnyxCheck
import OnyxInference
import OnyxONNX

/// Bytes → IR (binary, external data resolved against the scratch folder) →
/// every check, then shape inference, whatever the checker found: `onyx
/// check --full` infers only a model the checker passes, but `onyx infer`
/// infers any model it can read.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let model = try? ModelFile.load(bytes: bytes, format: .onnx, externalDataDirectory: ScratchFolder.path) else {
        return 0
    }
    _ = ModelChecker().check(model)
    _ = ShapeInference(policy: .refine).infer(model)
    return 0
}
