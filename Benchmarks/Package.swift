// swift-tools-version: 6.1
import PackageDescription

// Load/save benchmarks for Onyx, kept out of the main package so that its
// users never resolve package-benchmark. Run with ./compare.sh, or
// `swift package --package-path Benchmarks benchmark` (see README.md).
let package = Package(
    name: "OnyxBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Onyx", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Input generation, file paths and /proc/self/status probes shared
        // by the benchmark suite and the two helper tools.
        .target(name: "CBenchSupport"),
        .target(
            name: "BenchSupport",
            dependencies: [
                "CBenchSupport",
                .product(name: "OnyxIR", package: "Onyx"),
                .product(name: "OnyxONNX", package: "Onyx"),
                .product(name: "OnyxText", package: "Onyx"),
            ]
        ),
        // Writes .data/large.onnx, .data/nodes20k.onnx and its textual form
        // .data/nodes20k.onnxtxt (also read by python_onnx_load.py).
        .executableTarget(name: "MakeBenchInputs", dependencies: ["BenchSupport"]),
        // Loads a file in a fresh process and reports RssAnon against its size.
        .executableTarget(
            name: "MeasureRSS",
            dependencies: [
                "BenchSupport",
                .product(name: "OnyxONNX", package: "Onyx"),
            ]
        ),
        // The package-benchmark suite.
        .executableTarget(
            name: "ModelIO",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "OnyxIR", package: "Onyx"),
                .product(name: "OnyxONNX", package: "Onyx"),
                .product(name: "OnyxDiff", package: "Onyx"),
                .product(name: "OnyxText", package: "Onyx"),
                .product(name: "OnyxCheck", package: "Onyx"),
                .product(name: "OnyxInference", package: "Onyx"),
            ],
            path: "Benchmarks/ModelIO",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v5]
)
