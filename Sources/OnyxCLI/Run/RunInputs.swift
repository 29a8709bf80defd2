import OnyxIR
import OnyxONNX
import OnyxRuntime

#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif

/// Where `onyx run` gets its inputs and puts its outputs.
enum RunInputs {
    /// The feeds `--input` and `--inputs` give, by input name.
    static func feeds(for model: Model, values: [String], folder: String?) throws -> [String: DenseTensor] {
        let inputs = (model.graph?.inputs ?? []).filter { $0.initializer == nil }
        var feeds: [String: DenseTensor] = [:]
        if let folder {
            let files = ConformanceRunner.numberedFiles("input", in: folder)
            guard !files.isEmpty else { throw CommandFailure("no input_K.pb files in \(folder)") }
            for (k, name) in files {
                guard k < inputs.count else {
                    throw CommandFailure("\(folder)/\(name): the model has only \(inputs.count) inputs to feed")
                }
                feeds[inputs[k].name] = try tensor(fromFile: folder + "/" + name)
            }
        }
        for item in values {
            guard let equals = item.firstIndex(of: "=") else {
                throw CommandFailure("--input \(item): expected NAME=FILE or NAME=[...]")
            }
            let name = String(item[..<equals]), value = String(item[item.index(after: equals)...])
            guard let input = inputs.first(where: { $0.name == name }) else {
                throw CommandFailure(
                    "--input \(item): the model has no input '\(name)' (its inputs: \(inputs.map(\.name).joined(separator: ", ")))")
            }
            if value.hasPrefix("[") || Double(value) != nil || value == "true" || value == "false" {
                feeds[name] = try JSONLiteral.tensor(value, as: input.type.flatMap(Self.elementType) ?? .float, for: name)
            } else {
                feeds[name] = try tensor(fromFile: value)
            }
        }
        return feeds
    }

    private static func elementType(_ type: TypeInfo) -> DataType? {
        if case .tensor(let element, _) = type.kind { return element }
        return nil
    }

    private static func tensor(fromFile path: String) throws -> DenseTensor {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
        if path.hasSuffix(".npy") {
            do { return try NPYFile.decode([UInt8](data)) } catch { throw CommandFailure("\(path): \(error.diagnostic.message)") }
        }
        do {
            return try DenseTensor(try TensorCodec.decode([UInt8](data)))
        } catch let error as ONNXError {
            throw CommandFailure("\(path): \(error.diagnostic.message)")
        } catch let error as RuntimeError {
            throw CommandFailure("\(path): \(error.diagnostic.message)")
        }
    }

    /// Writes each output as `<name>.pb` (the name made file-safe) in
    /// `folder`, created when missing.
    static func write(_ outputs: [(name: String, tensor: DenseTensor?)], to folder: String, npy: Bool) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, tensor) in outputs {
            guard let tensor else { continue }
            let bytes = try TensorCodec.encode(tensor.tensor(named: name))
            let path = folder + "/" + FileSafeName.escaped(name) + ".pb"
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw CommandFailure("cannot write \(path)")
            }
            guard npy else { continue }
            guard let array = NPYFile.encode(tensor) else {
                throw CommandFailure("output '\(name)': .npy has no type for \(tensor.dataType); the .pb is written")
            }
            let npyPath = folder + "/" + FileSafeName.escaped(name) + ".npy"
            guard FileManager.default.createFile(atPath: npyPath, contents: Data(array)) else {
                throw CommandFailure("cannot write \(npyPath)")
            }
        }
    }
}

/// A JSON array literal (`[[1,2],[3,4]]`) as a tensor of a given type.
enum JSONLiteral {
    static func tensor(_ text: String, as type: DataType, for name: String) throws -> DenseTensor {
        var parser = Parser(bytes: Array(text.utf8))
        var values: [Double] = []
        let shape = try parser.value(into: &values, name: name)
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw parser.failure("unexpected text after the value", name) }
        let numbers = type == .bool ? TensorElements.bool(values.map { $0 != 0 }) : Self.elements(values, as: type)
        guard let numbers else { throw CommandFailure("--input \(name): a literal cannot give a \(type) tensor") }
        return DenseTensor(shape: shape, elements: numbers)
    }

    private static func elements(_ values: [Double], as type: DataType) -> TensorElements? {
        let probe = DenseTensor(shape: [values.count], elements: .double(values))
        return CastKernels.cast(probe.elements, to: type, saturate: true)
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        func failure(_ message: String, _ name: String) -> CommandFailure {
            CommandFailure("--input \(name): \(message) at character \(index + 1)")
        }

        mutating func skipSpace() { while index < bytes.count, [0x20, 0x0A, 0x09, 0x0D].contains(bytes[index]) { index += 1 } }

        /// Parses a number or a nested array; returns its shape.
        mutating func value(into values: inout [Double], name: String) throws -> [Int] {
            skipSpace()
            guard index < bytes.count else { throw failure("expected a number or [", name) }
            if bytes[index] == UInt8(ascii: "[") {
                index += 1
                var inner: [Int]? = nil
                var count = 0
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return [0]
                }
                while true {
                    let shape = try value(into: &values, name: name)
                    if let inner, inner != shape { throw failure("rows of different lengths", name) }
                    inner = shape
                    count += 1
                    skipSpace()
                    guard index < bytes.count else { throw failure("expected , or ]", name) }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "]") else { throw failure("expected , or ]", name) }
                    index += 1
                    return [count] + (inner ?? [])
                }
            }
            let start = index
            while index < bytes.count, !",] \n\t\r".utf8.contains(bytes[index]) { index += 1 }
            let word = String(decoding: bytes[start..<index], as: UTF8.self)
            switch word {
            case "true": values.append(1)
            case "false": values.append(0)
            case "nan", "NaN": values.append(.nan)
            default:
                guard let number = Double(word) else { throw failure("'\(word)' is not a number", name) }
                values.append(number)
            }
            return []
        }
    }
}
