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
    /// The feeds `--input` and `--inputs` give, by input name. Each file
    /// is read as its input's declared type says (a SequenceProto for a
    /// sequence, a MapProto for a map, …) and joins `protected`, so that no
    /// output is written over it.
    static func feeds(for model: Model, values: [String], folder: String?, protecting protected: inout ProtectedFiles)
        throws -> [String: RuntimeValue]
    {
        let inputs = (model.graph?.inputs ?? []).filter { $0.initializer == nil }
        var feeds: [String: RuntimeValue] = [:]
        func read(_ path: String, for input: Value) throws -> RuntimeValue {
            protected.add(path, as: "the input file '\(path)'")
            return try value(fromFile: path, declared: input.type)
        }
        if let folder {
            let files = ConformanceRunner.numberedFiles("input", in: folder)
            guard !files.isEmpty else { throw CommandFailure("no input_K.pb files in \(folder)") }
            for (k, name) in files {
                guard k < inputs.count else {
                    throw CommandFailure("\(folder)/\(name): the model has only \(inputs.count) inputs to feed")
                }
                feeds[inputs[k].name] = try read(folder + "/" + name, for: inputs[k])
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
            if value.hasPrefix("[") || value.hasPrefix("{") || Double(value) != nil || value == "true" || value == "false" {
                feeds[name] = try JSONLiteral.value(value, declared: input.type, for: name)
            } else {
                feeds[name] = try read(value, for: input)
            }
        }
        return feeds
    }

    /// The value in `path` (a .pb of the declared kind, or a .npy).
    /// The symbolic dims `--dim NAME=VALUE` binds, by name.
    static func dims(_ items: [String]) throws -> [String: Int] {
        var dims: [String: Int] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = Int(parts[1]), value >= 0 else {
                throw CommandFailure("--dim \(item): expected NAME=VALUE with a count")
            }
            dims[String(parts[0])] = value
        }
        return dims
    }

    static func value(fromFile path: String, declared type: TypeInfo?) throws -> RuntimeValue {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
        if path.hasSuffix(".npy") {
            do { return .tensor(try NPYFile.decode([UInt8](data))) } catch {
                throw CommandFailure("\(path): \(error.diagnostic.message)")
            }
        }
        do {
            return try RuntimeValue(try DataValueCodec.decode([UInt8](data), as: type))
        } catch let error as ONNXError {
            throw CommandFailure("\(path): \(error.diagnostic.message)")
        } catch let error as RuntimeError {
            throw CommandFailure("\(path): \(error.diagnostic.message)")
        }
    }

    /// Writes each output as `<name>.pb` (the name made file-safe; a
    /// SequenceProto, MapProto or OptionalProto as the graph declares it)
    /// in `folder`, created when missing; each file atomically and never
    /// over a protected file.
    static func write(
        _ outputs: [(name: String, value: RuntimeValue?)], declared: [Value], to folder: String, npy: Bool,
        protecting protected: ProtectedFiles
    ) throws {
        for (index, (name, value)) in outputs.enumerated() {
            guard let value else { continue }
            let type = index < declared.count ? declared[index].type : nil
            let path = folder + "/" + FileSafeName.escaped(name)
            do {
                try OutputFile.write(
                    try DataValueCodec.encode(value.dataValue(named: name, declared: type)), to: path + ".pb",
                    protecting: protected, parents: true)
            } catch { throw CommandFailure(error) }
            guard npy else { continue }
            guard let tensor = value.tensor else {
                throw CommandFailure("output '\(name)' is \(value.kindDescription), which .npy cannot hold; the .pb is written")
            }
            guard let array = NPYFile.encode(tensor) else {
                throw CommandFailure("output '\(name)': .npy has no type for \(tensor.dataType); the .pb is written")
            }
            do { try OutputFile.write(array, to: path + ".npy", protecting: protected) } catch { throw CommandFailure(error) }
        }
    }
}

/// A JSON literal as a value of an input's declared type: an array
/// (`[[1,2],[3,4]]`) for a tensor, an array of arrays for a sequence of
/// tensors (`[[1,2],[3]]`), an object for a map (`{"a": 1.5, "b": 2}`, keys
/// quoted even when they are integers), `null` for an empty optional.
enum JSONLiteral {
    static func value(_ text: String, declared type: TypeInfo?, for name: String) throws -> RuntimeValue {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value(declared: type, name: name)
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw parser.failure("unexpected text after the value", name) }
        return value
    }

    static func tensor(_ values: [Double], shape: [Int], as type: DataType, for name: String) throws -> DenseTensor {
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
        /// The string elements read so far (`"…"` literals), for a string
        /// tensor; each also holds a place in the numbers.
        var texts: [[UInt8]] = []

        func failure(_ message: String, _ name: String) -> CommandFailure {
            CommandFailure("--input \(name): \(message) at character \(index + 1)")
        }

        mutating func skipSpace() { while index < bytes.count, [0x20, 0x0A, 0x09, 0x0D].contains(bytes[index]) { index += 1 } }

        /// A value of `type`: a sequence, map, optional or tensor literal.
        mutating func value(declared type: TypeInfo?, name: String) throws -> RuntimeValue {
            skipSpace()
            switch type?.kind {
            case .optional(let inner)?:
                if bytes[index...].starts(with: "null".utf8) {
                    index += 4
                    return .emptyOptional(inner)
                }
                return try value(declared: inner, name: name)
            case .sequence(let element)?:
                try expect("[", name)
                var elements: [RuntimeValue] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                } else {
                    while true {
                        elements.append(try value(declared: element, name: name))
                        skipSpace()
                        if try endOfList(name) { break }
                    }
                }
                return .sequence(RuntimeSequence(elements, elementType: element))
            case .map(let keyType, let valueType)?:
                return .map(try map(keys: keyType ?? .string, values: valueType?.tensorElementType ?? .float, name: name))
            default:
                var values: [Double] = []
                texts = []
                let shape = try value(into: &values, name: name)
                let element = type?.tensorElementType ?? (texts.isEmpty ? .float : .string)
                guard element == .string else {
                    guard texts.isEmpty else { throw CommandFailure("--input \(name): strings given for a \(element) input") }
                    return .tensor(try JSONLiteral.tensor(values, shape: shape, as: element, for: name))
                }
                guard texts.count == values.count else { throw CommandFailure("--input \(name): a string input takes \"…\" elements") }
                return .tensor(DenseTensor(shape: shape, elements: .string(texts)))
            }
        }

        /// `{"key": number, …}`; integer keys are quoted too, as JSON wants.
        private mutating func map(keys keyType: DataType, values valueType: DataType, name: String) throws -> RuntimeMap {
            try expect("{", name)
            var keys: [String] = []
            var values: [Double] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    skipSpace()
                    keys.append(String(decoding: try quoted(name), as: UTF8.self))
                    skipSpace()
                    try expect(":", name)
                    guard try value(into: &values, name: name).isEmpty else { throw failure("map values must be numbers", name) }
                    skipSpace()
                    guard index < bytes.count else { throw failure("expected , or }", name) }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    try expect("}", name)
                    break
                }
            }
            let keyTensor: DenseTensor
            if keyType == .string {
                keyTensor = DenseTensor(shape: [keys.count], elements: .string(keys.map { Array($0.utf8) }))
            } else {
                let integers = try keys.map { key in
                    guard let integer = Double(key), integer.rounded() == integer else {
                        throw CommandFailure("--input \(name): map key '\(key)' is not an integer")
                    }
                    return integer
                }
                keyTensor = try JSONLiteral.tensor(integers, shape: [keys.count], as: keyType, for: name)
            }
            return RuntimeMap(keys: keyTensor, values: try JSONLiteral.tensor(values, shape: [values.count], as: valueType, for: name))
        }

        /// A `"…"` string (`\"` and `\\` escaped), as its UTF-8 bytes.
        private mutating func quoted(_ name: String) throws -> [UInt8] {
            try expect("\"", name)
            var text: [UInt8] = []
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                text.append(bytes[index])
                index += 1
            }
            try expect("\"", name)
            return text
        }

        private mutating func expect(_ character: Unicode.Scalar, _ name: String) throws {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { throw failure("expected \(character)", name) }
            index += 1
        }

        /// After a list element: true at `]` (consumed), false at `,`.
        private mutating func endOfList(_ name: String) throws -> Bool {
            guard index < bytes.count else { throw failure("expected , or ]", name) }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                return false
            }
            try expect("]", name)
            return true
        }

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
                    if try endOfList(name) { return [count] + (inner ?? []) }
                }
            }
            if bytes[index] == UInt8(ascii: "\"") {
                texts.append(try quoted(name))
                values.append(0)
                return []
            }
            let start = index
            while index < bytes.count, !",]} \n\t\r".utf8.contains(bytes[index]) { index += 1 }
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
