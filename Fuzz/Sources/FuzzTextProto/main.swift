import FuzzSupport

/// protobuf's text format of ModelProto, read, written and read again.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    roundTrip(UnsafeRawBufferPointer(start: data, count: size), as: .textproto)
    return 0
}
