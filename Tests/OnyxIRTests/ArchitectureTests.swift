import Foundation
import Testing

/// Targets depend one way; OnyxIR stays pure Swift. SwiftPM enforces target
/// dependencies; this keeps each target's imports to its allow-list, the
/// test-support targets included, and refuses imports that would let a test
/// or a module reach past the public surface (`@testable`) or re-export a
/// dependency to its users (`public import`, `@_exported`).
@Suite struct ArchitectureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Folder (under the repository) → the modules its Swift files may import.
    static let allowed: [String: Set<String>] = [
        "Sources/OnyxIR": ["ComplexModule", "RealModule"],
        // FoundationEssentials (Foundation on Darwin) and the C library:
        // full Foundation, with ICU, was a third of every process's start.
        "Sources/OnyxONNX": [
            "Foundation", "FoundationEssentials", "Glibc", "Synchronization", "OnyxIR", "OnyxText", "COnnxProto", "ExtrasBase64",
        ],
        "Sources/OnyxDiff": ["OnyxIR"],
        "Sources/OnyxText": ["OnyxIR"],
        "Sources/OnyxSchemas": ["OnyxIR", "Synchronization"],
        "Tests/OnyxCheckTests": ["Testing", "OnyxIR", "OnyxCheck", "OnyxTestSupport"],
        "Tests/OnyxSchemasTests": ["Foundation", "Testing", "OnyxIR", "OnyxSchemas", "OnyxTestSupport"],
        "Sources/OnyxCLI": [
            "Foundation", "FoundationEssentials", "Glibc", "Darwin", "Dispatch", "Synchronization", "OnyxIR", "OnyxONNX",
            "OnyxDiff", "OnyxText", "OnyxCheck", "OnyxInference", "OnyxRuntime", "OnyxVerify", "ArgumentParser",
        ],
        // Verification drives the codec, the diff and the runtime; files
        // for the external-data round trip through FoundationEssentials.
        "Sources/OnyxVerify": [
            "Foundation", "FoundationEssentials", "Glibc", "Darwin", "OnyxIR", "OnyxONNX", "OnyxDiff", "OnyxRuntime", "OnyxText",
        ],
        "Tests/OnyxVerifyTests": [
            "Foundation", "Testing", "OnyxIR", "OnyxONNX", "OnyxRuntime", "OnyxVerify", "OnyxTestSupport", "OnyxConformanceSupport",
        ],
        "Sources/OnyxCheck": ["Dispatch", "OnyxIR", "OnyxSchemas"],
        // Inference sees types, schemas and dims, never the codec; the
        // textual syntax reads the schemas' function bodies.
        "Sources/OnyxInference": ["OnyxIR", "OnyxSchemas", "OnyxSymbolic", "OnyxText"],
        "Tests/OnyxInferenceTests": [
            "Foundation", "Testing", "OnyxIR", "OnyxInference", "OnyxSchemas", "OnyxSymbolic", "OnyxTestSupport", "OnyxConformanceSupport",
            "OnyxONNX",
        ],
        "Sources/onyx": ["Foundation", "FoundationEssentials", "Glibc", "OnyxCLI"],
        // The runtime computes on the IR's elements, resolves schemas, parses
        // schema function bodies, multiplies through OpenBLAS, decodes images
        // through the image libraries, takes exp and tanh of runs through
        // libmvec and generic math from
        // swift-numerics; no codec, no Foundation.
        "Sources/OnyxRuntime": [
            "OnyxIR", "OnyxSchemas", "OnyxText", "COpenBLAS", "CImageCodecs", "CRE2", "CVectorMath", "RealModule",
            "Glibc", "Darwin", "Musl",
        ],
        // libm's scalar exp, tanh, erf and log are the oracle for the
        // runtime's vector runs.
        "Tests/OnyxRuntimeTests": ["Testing", "OnyxIR", "OnyxRuntime", "OnyxTestSupport", "Glibc"],
        // The pure support and the IR's tests never see the codec.
        "Tests/OnyxTestSupport": ["Foundation", "Testing", "OnyxIR", "OnyxText"],
        "Tests/OnyxConformanceSupport": ["Foundation", "OnyxTestSupport", "OnyxONNX"],
        "Tests/OnyxIRTests": ["Foundation", "Testing", "OnyxIR", "OnyxTestSupport"],
    ]

    /// `import X`, with any attributes or access level before it.
    struct ImportLine {
        let module: String
        let attributes: [String]

        init?(_ line: Substring) {
            var words = line.split(separator: " ").map(String.init)
            guard let importIndex = words.firstIndex(of: "import"), importIndex + 1 < words.count else { return nil }
            let modifiers: Set<String> = ["public", "package", "internal", "fileprivate", "private"]
            attributes = Array(words[..<importIndex])
            guard attributes.allSatisfy({ $0.hasPrefix("@") || modifiers.contains($0) }) else { return nil }
            // `import struct Foo.Bar` names a declaration kind first.
            words = Array(words[(importIndex + 1)...])
            let kinds: Set<String> = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"]
            let path = kinds.contains(words[0]) && words.count > 1 ? words[1] : words[0]
            module = String(path.split(separator: ".").first ?? "")
        }
    }

    static func importLines(under folder: String) throws -> [(file: String, line: ImportLine)] {
        let url = root.appendingPathComponent(folder)
        let files = FileManager.default.enumerator(atPath: url.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        var result: [(String, ImportLine)] = []
        for file in files {
            let text = try String(contentsOf: url.appendingPathComponent(file), encoding: .utf8)
            // Swift imports sit at the start of a line; indented text
            // (Python embedded in a test, say) is not Swift's.
            for line in text.split(separator: "\n") where line.first.map({ $0 != " " && $0 != "#" }) ?? false {
                if let parsed = ImportLine(line) { result.append(("\(folder)/\(file)", parsed)) }
            }
        }
        return result
    }

    @Test(arguments: allowed.keys.sorted()) func importsStayWithinTheAllowList(folder: String) throws {
        let lines = try Self.importLines(under: folder)
        #expect(!lines.isEmpty)
        for (file, line) in lines {
            #expect(Self.allowed[folder]!.contains(line.module), "\(file) imports \(line.module)")
        }
    }

    @Test func noTestableOrReexportedImportsAnywhere() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources").path)
            .map { "Sources/\($0)" }
            + FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Tests").path).map { "Tests/\($0)" }
        var checked = 0
        for folder in folders {
            for (file, line) in try Self.importLines(under: folder) {
                checked += 1
                #expect(!line.attributes.contains("@testable"), "\(file): @testable import \(line.module)")
                #expect(!line.attributes.contains("@_exported"), "\(file): @_exported import \(line.module)")
                #expect(!line.attributes.contains("public"), "\(file): public import \(line.module)")
            }
        }
        #expect(checked > 50)
    }

    @Test func theCheckSeesWhatItMustRefuse() {
        #expect(ImportLine("@testable import OnyxIR")?.attributes == ["@testable"])
        #expect(ImportLine("public import OnyxONNX")?.module == "OnyxONNX")
        #expect(ImportLine("import struct OnyxONNX.ModelFile")?.module == "OnyxONNX")
        #expect(ImportLine("let important = 1") == nil)
        #expect(ImportLine("/// what an import does") == nil)
    }
}
