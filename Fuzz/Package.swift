// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for Onyx's readers, kept out of the main package so that
// its normal build never sees them. Build and run them with scripts/fuzz
// (which builds with `--sanitize=fuzzer --sanitize=address` and links the
// sanitized protobuf-c that scripts/fuzz-deps makes); see the README's
// "Fuzzing and sanitizers".
//
// Each target is one executable: libFuzzer supplies `main` and calls the
// target's `LLVMFuzzerTestOneInput` with every input it tries.
let package = Package(
    name: "OnyxFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Onyx", path: ".."),
    ],
    targets: [
        // The scratch folder external data resolves against, and the
        // read-write-read round trip every reader's target makes.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "OnyxIR", package: "Onyx"), .product(name: "OnyxONNX", package: "Onyx")]),
        // Bytes → IR through the binary reader, external data included, and
        // back to bytes.
        .executableTarget(
            name: "FuzzBinary", dependencies: ["FuzzSupport", .product(name: "OnyxONNX", package: "Onyx")]),
        // The ONNX textual syntax: text → IR → text.
        .executableTarget(name: "FuzzOnnxText", dependencies: ["FuzzSupport"]),
        // protobuf's JSON mapping and text format of ModelProto, read by
        // reflection over protobuf-c's descriptors, as `onyx convert` reads them.
        .executableTarget(name: "FuzzJSON", dependencies: ["FuzzSupport"]),
        .executableTarget(name: "FuzzTextProto", dependencies: ["FuzzSupport"]),
        // Bytes → IR → every check and shape inference, as `onyx check
        // --full` and `onyx infer` run them.
        .executableTarget(
            name: "FuzzCheck",
            dependencies: [
                "FuzzSupport",
                .product(name: "OnyxONNX", package: "Onyx"),
                .product(name: "OnyxCheck", package: "Onyx"),
                .product(name: "OnyxInference", package: "Onyx"),
            ]),
    ],
    swiftLanguageModes: [.v5]
)
