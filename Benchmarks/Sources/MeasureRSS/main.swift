// Loads (then saves) one model in a fresh process and reports how much
// anonymous memory (RssAnon, /proc/self/status) that takes, against the file
// size. Mapped file pages are RssFile, not RssAnon, so mapping the input is
// free here; the decoded tensors and the IR are what count.
//
//   MeasureRSS [FILE...]   (default: the generated large.onnx and nodes20k.onnx)
//   MeasureRSS --repeat N [--no-trim] [FILE]   (per-load time and page faults)
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

/// `--repeat N`: loads N times in this process, printing each load's time
/// and page faults, with malloc's free memory handed back between loads
/// (unless `--no-trim`): shows the cost of fresh pages against reused ones.
func repeatLoads(_ path: String, count: Int, trim: Bool) throws {
    func minorFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }
    for index in 0..<count {
        let faults = minorFaults()
        let start = Date()
        try withExtendedLifetime(ModelFile.load(path)) { _ in
            let ms = Date().timeIntervalSince(start) * 1000
            print(String(format: "load %2d: %8.1f ms, %7d minor faults, RssAnon %6.1f MB", index, ms,
                         minorFaults() - faults, Double(rssAnonBytes()) / 1e6))
        }
        let held = rssAnonBytes()
        if trim { releaseFreeMemory() }
        print(String(format: "         after release: RssAnon %6.1f MB, after trim %6.1f MB", Double(held) / 1e6,
                     Double(rssAnonBytes()) / 1e6))
    }
}

do {
    try BenchInputs.ensure()
    var arguments = Array(CommandLine.arguments.dropFirst())
    if let flag = arguments.firstIndex(of: "--repeat"), flag + 1 < arguments.count, let count = Int(arguments[flag + 1]) {
        arguments.removeSubrange(flag...(flag + 1))
        let trim = !arguments.contains("--no-trim")
        arguments.removeAll { $0 == "--no-trim" }
        try repeatLoads(arguments.first ?? BenchPaths.large, count: count, trim: trim)
        exit(0)
    }
    let paths = arguments
    for path in paths.isEmpty ? [BenchPaths.large, BenchPaths.nodes] : Array(paths) { try measure(path) }
} catch {
    FileHandle.standardError.write(Data("MeasureRSS: \(error)\n".utf8))
    exit(1)
}
