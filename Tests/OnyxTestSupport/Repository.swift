import Foundation

/// Places in the repository that tests read.
public enum Repository {
    /// The repository's root folder.
    public static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// The `fixtures/` folder.
    public static var fixtures: URL { root.appendingPathComponent("fixtures") }
}
