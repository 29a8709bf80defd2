import Foundation
import Testing

/// Compares `text` with the stored snapshot `Snapshots/<name>.txt` beside the
/// calling test file. When the snapshot is missing, or `RECORD_SNAPSHOTS` is
/// set, the text is recorded and the test fails, so that a new baseline is
/// always looked at before it is committed.
public func assertSnapshot(
    _ text: String, named name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation
) {
    let folder = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = folder.appendingPathComponent("\(name).txt")
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
    if !record, let stored = try? String(contentsOf: file, encoding: .utf8) {
        #expect(text == stored, "snapshot \(name) differs (RECORD_SNAPSHOTS=1 re-records)", sourceLocation: sourceLocation)
        return
    }
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try? text.write(to: file, atomically: true, encoding: .utf8)
    Issue.record("recorded snapshot \(file.path); check it and run again", sourceLocation: sourceLocation)
}
