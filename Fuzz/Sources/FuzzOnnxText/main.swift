import FuzzSupport

/// The ONNX textual syntax (`OnnxTextParser`, through `ModelCodec` as `onyx
/// convert` reads it), read, printed and read again.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    roundTrip(UnsafeRawBufferPointer(start: data, count: size), as: .onnxtxt)
    return 0
}
