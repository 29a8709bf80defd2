// Loads (then saves) one model in a fresh process and reports how much
// anonymous memory (RssAnon, /proc/self/status) that takes, against the file
// size. Mapped file pages are RssFile, not RssAnon, so mapping the input is
// free here; the decoded tensors and the IR are what count.
//
//   MeasureRSS [FILE...]   (default: the generated large.onnx and nodes20k.onnx)
//
// Prints one JSON object per file:
//   fileBytes, loadDeltaBytes (RssAnon after load − before), loadPeakDeltaBytes
//   (highest RssAnon sampled every ~0.2 ms during load − before), the same two as
//   ratios of the file size, and savePeakDeltaBytes (during ModelFile.save,
//   relative to after load).
import BenchSupport
import Foundation
import OnyxONNX

/// Samples RssAnon on a background thread and keeps the maximum.
final class PeakSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var running = true
    private var thread: Thread?

    func start() {
        peak = rssAnonBytes()
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                let now = rssAnonBytes()
                lock.withLock { peak = max(peak, now) }
                usleep(200)
            }
        }
        self.thread = thread
        thread.start()
    }

    func stop() -> Int {
        let last = rssAnonBytes()
        return lock.withLock {
            running = false
            peak = max(peak, last)
            return peak
        }
    }
}

func measure(_ path: String) throws {
    let size = fileSize(path)
    let before = rssAnonBytes()
    let loadSampler = PeakSampler()
    loadSampler.start()
    let start = Date()
    let model = try ModelFile.load(path)
    let loadSeconds = Date().timeIntervalSince(start)
    let loadPeak = loadSampler.stop()
    let afterLoad = rssAnonBytes()

    let out = BenchPaths.scratch + "/measure-rss-" + URL(fileURLWithPath: path).lastPathComponent
    let saveSampler = PeakSampler()
    saveSampler.start()
    try ModelFile.save(model, to: out)
    let savePeak = saveSampler.stop()
    unlink(out)
    withExtendedLifetime(model) {}

    func ratio(_ value: Int) -> String { String(format: "%.3f", Double(value) / Double(size)) }
    print(
        """
        {"file": "\(path)", "fileBytes": \(size), "rssAnonBeforeBytes": \(before), \
        "loadDeltaBytes": \(afterLoad - before), "loadDeltaRatio": \(ratio(afterLoad - before)), \
        "loadPeakDeltaBytes": \(loadPeak - before), "loadPeakDeltaRatio": \(ratio(loadPeak - before)), \
        "savePeakDeltaBytes": \(savePeak - afterLoad), "savePeakDeltaRatio": \(ratio(savePeak - afterLoad)), \
        "loadSeconds": \(String(format: "%.4f", loadSeconds))}
        """)
}

do {
    try BenchInputs.ensure()
    let paths = CommandLine.arguments.dropFirst()
    for path in paths.isEmpty ? [BenchPaths.large, BenchPaths.nodes] : Array(paths) { try measure(path) }
} catch {
    FileHandle.standardError.write(Data("MeasureRSS: \(error)\n".utf8))
    exit(1)
}
