import Foundation
import Testing

/// Targets depend one way; OnyxIR stays pure Swift. SwiftPM enforces target
/// dependencies, and this keeps imports inside each target to its allow-list.
@Suite struct ArchitectureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let allowed: [String: Set<String>] = [
        "OnyxIR": ["ComplexModule"],
        "OnyxONNX": ["Foundation", "OnyxIR", "OnyxText", "COnnxProto"],
        "OnyxDiff": ["OnyxIR"],
        "OnyxText": ["OnyxIR"],
        "OnyxCLI": ["Foundation", "OnyxIR", "OnyxONNX", "OnyxDiff", "OnyxText", "ArgumentParser"],
        "onyx": ["Foundation", "OnyxCLI"],
    ]

    @Test(arguments: allowed.keys.sorted()) func importsStayWithinTheAllowList(target: String) throws {
        let folder = Self.root.appendingPathComponent("Sources/\(target)")
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                let module = String(line.dropFirst("import ".count)).trimmingCharacters(in: .whitespaces)
                #expect(Self.allowed[target]!.contains(module), "\(target)/\(file) imports \(module)")
            }
        }
    }
}
