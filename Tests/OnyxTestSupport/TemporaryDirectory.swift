import Foundation

/// A fresh folder under the system's temporary directory, removed when the
/// value is deinitialized.
public final class TemporaryDirectory {
    public let url: URL

    public init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("onyx-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// `name` inside the folder, as a path.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The names of the files in the folder (recursively), sorted.
    public var contents: [String] {
        let enumerator = FileManager.default.enumerator(atPath: url.path)
        return ((enumerator?.allObjects as? [String]) ?? []).sorted()
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
