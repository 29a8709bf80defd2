import FuzzSupport
import OnyxONNX

/// Bytes → IR through the binary reader, external data resolved against the
/// scratch folder, then written, and read again.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let model = try? ModelFile.load(bytes: bytes, format: .onnx, externalDataDirectory: ScratchFolder.path) else {
        return 0
    }
    roundTrip(model, as: .onnx)
    return 0
}
