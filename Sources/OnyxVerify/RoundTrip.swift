#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR
import OnyxONNX
import OnyxText

/// The complete-model formats Onyx writes, as `onyx verify` round-trips a
/// model through them.
public enum VerifyFormat: String, CaseIterable, Sendable, Encodable {
    /// ONNX binary with every tensor inline.
    case onnx
    /// ONNX binary with every initializer's data in a file beside it.
    case externalData = "external-data"
    /// The ONNX textual syntax (`onnx.parser` / `onnx.printer`).
    case onnxtxt
    /// protobuf's JSON mapping of `ModelProto`.
    case json
    /// protobuf's text format of `ModelProto`.
    case textproto

    /// What the format is, for reports.
    public var title: String {
        switch self {
        case .onnx: return "ONNX binary"
        case .externalData: return "ONNX binary, external data"
        case .onnxtxt: return "ONNX textual syntax"
        case .json: return "protobuf JSON"
        case .textproto: return "protobuf text format"
        }
    }

    /// What a model holds that the format has no place for (only the
    /// textual syntax has such losses; see `OnnxTextLosses`).
    public func losses(of model: Model) -> [String] {
        self == .onnxtxt ? OnnxTextLosses.of(model) : []
    }
}

/// One conversion: the model written in a format and read back.
enum RoundTrip {
    /// Why a round trip failed: the writer refused the model (the format
    /// cannot carry it), or what it wrote did not read back.
    enum Failure: Error {
        case write(String)
        case read(String)
    }

    static func convert(_ model: Model, through format: VerifyFormat) throws(Failure) -> Model {
        let inMemory: ModelFormat
        switch format {
        case .externalData: return try throughExternalData(model)
        case .onnx: inMemory = .onnx
        case .onnxtxt: inMemory = .onnxtxt
        case .json: inMemory = .json
        case .textproto: inMemory = .textproto
        }
        let bytes: [UInt8]
        do { bytes = try ModelFile.encode(model, format: inMemory, externalData: .inline) } catch {
            throw .write(error.diagnostic.description)
        }
        do {
            return try bytes.withUnsafeBytes { buffer throws(ONNXError) in
                try ModelFile.load(bytes: buffer, format: inMemory, externalDataDirectory: "/", loadExternalData: false)
            }
        } catch {
            throw .read((error as? any DiagnosticError)?.diagnostic.description ?? "\(error)")
        }
    }

    /// Saves the model with every initializer in `model.onnx.data` in a
    /// scratch folder and loads it back. The files are removed once loaded:
    /// the model maps its data, and a mapping outlives the file's name.
    private static func throughExternalData(_ model: Model) throws(Failure) -> Model {
        var template = Array((FileManager.default.temporaryDirectory.path + "/onyx-verify-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw .write("cannot make a scratch folder: \(String(cString: strerror(errno)))") }
        let folder = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/model.onnx"
        do {
            try ModelFile.save(
                model, to: path, format: .onnx, externalData: .externalize(location: "model.onnx.data", sizeThreshold: 0))
        } catch {
            throw .write(error.diagnostic.description)
        }
        do { return try ModelFile.load(path) } catch { throw .read(error.diagnostic.description) }
    }
}
