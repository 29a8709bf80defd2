import OnyxIR

/// Types, tensors and attributes.
extension SyntaxReader {
    // MARK: Types

    mutating func nextIsType() -> Bool {
        SyntaxVocabulary.startsType(scanner.peekIdentifier())
    }

    /// `float[N,3]`, `float` (a scalar), `float[]` (unknown rank),
    /// `seq(T)`, `map(K, T)`, `optional(T)`, `sparse_tensor(float[N])`,
    /// `opaque(domain, name)`.
    mutating func type() throws(OnnxTextError) -> TypeInfo {
        depth += 1
        defer { depth -= 1 }
        try scanner.check(.nesting, depth, "types nest this deep")
        let start = scanner.position
        let word = try scanner.identifier("a type")
        if let element = SyntaxVocabulary.dataType(named: word) {
            return .tensor(element, try shapeSuffix())
        }
        switch word {
        case "seq":
            return TypeInfo(.sequence(try parenthesized { reader throws(OnnxTextError) in try reader.type() }))
        case "optional":
            return TypeInfo(.optional(try parenthesized { reader throws(OnnxTextError) in try reader.type() }))
        case "map":
            return try parenthesized { reader throws(OnnxTextError) in
                let key = try reader.elementType("a map key type")
                try reader.scanner.expect(",", "between map key and value types")
                return TypeInfo(.map(keyType: key, valueType: try reader.type()))
            }
        case "sparse_tensor":
            return try parenthesized { reader throws(OnnxTextError) in
                let element = try reader.elementType("a sparse tensor element type")
                return TypeInfo(.sparseTensor(elementType: element, shape: try reader.shapeSuffix()))
            }
        case "opaque":
            return try parenthesized { reader throws(OnnxTextError) in
                if reader.scanner.peek() == UInt8(ascii: ")") { return TypeInfo(.opaque(domain: nil, name: nil)) }
                var first = try reader.scanner.identifier("an opaque type name")
                while reader.scanner.matches(".") {
                    first += "." + (try reader.scanner.identifier("a domain part after '.'"))
                }
                if reader.scanner.matches(",") {
                    return TypeInfo(.opaque(domain: first, name: try reader.scanner.identifier("an opaque type name")))
                }
                return TypeInfo(.opaque(domain: nil, name: first))
            }
        default:
            throw scanner.error(
                "unknown type '\(word)'; expected an element type (float, int64, …), seq, map, optional, "
                    + "sparse_tensor or opaque", at: start)
        }
    }

    private mutating func parenthesized<T>(
        _ body: (inout SyntaxReader) throws(OnnxTextError) -> T
    ) throws(OnnxTextError) -> T {
        try scanner.expect("(", "after the type keyword")
        let result = try body(&self)
        try scanner.expect(")", "to close the type")
        return result
    }

    private mutating func elementType(_ what: String) throws(OnnxTextError) -> DataType {
        let start = scanner.position
        let word = try scanner.identifier(what)
        guard let type = SyntaxVocabulary.dataType(named: word) else {
            throw scanner.error("expected \(what) (float, int64, …), found '\(word)'", at: start)
        }
        return type
    }

    /// `[dims]`, `[]` (nil: unknown rank) or nothing (a scalar).
    private mutating func shapeSuffix() throws(OnnxTextError) -> Shape? {
        guard scanner.matches("[") else { return Shape([]) }
        if scanner.matches("]") { return nil }
        var dims: [Dimension] = []
        repeat {
            try scanner.check(.rank, dims.count + 1, "the shape's dims")
            if scanner.matches("?") {
                dims.append(Dimension(.unknown))
            } else if scanner.peek() == UInt8(ascii: "\"") {
                dims.append(Dimension(.symbol(try scanner.string("a dimension name"))))
            } else {
                let symbol = scanner.optionalIdentifier()
                dims.append(Dimension(symbol.isEmpty ? .value(try scanner.integer("a dimension")) : .symbol(symbol)))
            }
        } while scanner.matches(",")
        try scanner.expect("]", "to close the shape")
        return Shape(dims)
    }

    // MARK: Tensors

    /// The data after a tensor's type and name: `{1, 2, 3}`, external data
    /// `["location": "w.bin", …]`, or nothing.
    mutating func tensorElements(type: TypeInfo?, name: String?) throws(OnnxTextError) -> Tensor {
        let start = scanner.position
        guard case .tensor(let element, let shape)? = type?.kind, let element else {
            throw scanner.error("tensor data needs a tensor type (float[2,3], int64, …)", at: start)
        }
        guard let shape else {
            throw scanner.error("tensor data needs a shape: float[2,3], or float for a scalar, not float[]", at: start)
        }
        guard let dims = shape.staticSizes else {
            throw scanner.error("tensor data needs numeric dimensions, not \(shape)", at: start)
        }
        var tensor = Tensor(name: name, dataType: element, dims: dims)
        if scanner.matches("{") {
            if !scanner.matches("}") {
                try elements(of: element, into: &tensor)
                try scanner.expect("}", "to close the tensor elements")
            }
        } else if scanner.matches("[") {
            tensor.storage = .external(Tensor.ExternalData(entries: try pairs()))
            try scanner.expect("]", "to close the external data entries")
        }
        return tensor
    }

    private mutating func elements(of type: DataType, into tensor: inout Tensor) throws(OnnxTextError) {
        guard let layout = TensorText.layout(of: type) else {
            throw scanner.error("the textual syntax has no element form for \(type.name) tensors")
        }
        let field: Tensor.TypedField
        switch layout {
        case .int32Field:
            var values: [Int32] = []
            repeat {
                let value = try scanner.integer("a tensor element")
                guard let narrow = Int32(exactly: value) else {
                    throw scanner.error("\(value) does not fit the int32 field of a \(type.name) tensor", at: scanner.tokenStart)
                }
                values.append(narrow)
            } while scanner.matches(",")
            field = .int32(values)
        case .int64Field:
            var values: [Int64] = []
            repeat { values.append(try scanner.integer("a tensor element")) } while scanner.matches(",")
            field = .int64(values)
        case .uint64Field:
            var values: [UInt64] = []
            repeat { values.append(try unsignedElement()) } while scanner.matches(",")
            field = .uint64(values)
        case .floatField:
            var values: [Float] = []
            repeat { values.append(try scanner.float("a tensor element")) } while scanner.matches(",")
            field = .float(values)
        case .doubleField:
            var values: [Double] = []
            repeat { values.append(try scanner.double("a tensor element")) } while scanner.matches(",")
            field = .double(values)
        case .stringField:
            var values: [[UInt8]] = []
            repeat {
                guard case .string(let bytes) = try scanner.literal("a string element") else {
                    throw scanner.error("expected a quoted string element", at: scanner.tokenStart)
                }
                values.append(bytes)
            } while scanner.matches(",")
            field = .string(values)
        }
        tensor.storage = .field(field)
    }

    /// A uint32/uint64 element. A negative one wraps around, as C's
    /// `strtoull` (and so onnx's parser) makes it.
    private mutating func unsignedElement() throws(OnnxTextError) -> UInt64 {
        guard case .integer(let token) = try scanner.literal("a tensor element") else {
            throw scanner.error("expected an integer tensor element", at: scanner.tokenStart)
        }
        if let value = UInt64(token) { return value }
        if let negative = Int64(token) { return UInt64(bitPattern: negative) }
        throw scanner.error("integer \(token) is out of range", at: scanner.tokenStart)
    }

    // MARK: Attributes

    /// `<name: type = value, …>`, or nothing.
    mutating func attributeList(in reading: GraphReading) throws(OnnxTextError) -> [Attribute] {
        var attributes: [Attribute] = []
        guard scanner.matches("<") else { return attributes }
        repeat {
            try scanner.check(.attributes, attributes.count + 1, "the node's attributes")
            let name = try scanner.identifier("an attribute name")
            attributes.append(try attribute(named: name, in: reading))
        } while scanner.matches(",")
        try scanner.expect(">", "to close the attributes")
        return attributes
    }

    /// `: type = value` after an attribute's name; the type is optional
    /// when the value tells it.
    mutating func attribute(named name: String, in reading: GraphReading) throws(OnnxTextError) -> Attribute {
        var attribute = Attribute(name: name, type: nil)
        if scanner.matches(":") {
            let start = scanner.position
            let word = try scanner.identifier("an attribute type")
            guard let type = SyntaxVocabulary.attributeType(named: word) else {
                throw scanner.error(
                    "unknown attribute type '\(word)'; expected one of "
                        + SyntaxVocabulary.attributeTypes.names.dropFirst().joined(separator: ", "), at: start)
            }
            attribute.type = type
        }
        try scanner.expect("=", "after attribute '\(name)'")
        let listStart = scanner.position
        guard scanner.matches("[") else {
            store(try singleValue(expected: attribute.type, in: reading), in: &attribute)
            return attribute
        }
        if scanner.matches("]") {
            guard let type = attribute.type else {
                throw scanner.error(
                    "the empty list of attribute '\(name)' needs a type, as in '\(name): ints = []'", at: listStart)
            }
            guard let singleton = type.singletonOfList, singleton != type else {
                throw scanner.error(
                    "attribute '\(name)' is a single \(SyntaxVocabulary.name(of: type)), not a list", at: listStart)
            }
            return attribute
        }
        repeat {
            let start = scanner.position
            let element = try singleValue(expected: attribute.type?.singletonOfList, in: reading)
            switch element {
            case .int(let v): attribute.ints.append(v); attribute.type = .ints
            case .float(let v): attribute.floats.append(v); attribute.type = .floats
            case .string(let v): attribute.strings.append(v); attribute.type = .strings
            case .tensor(let v): attribute.tensors.append(v); attribute.type = .tensors
            case .graph(let v): attribute.graphs.append(v); attribute.type = .graphs
            case .type(let v): attribute.typeProtos.append(v); attribute.type = .typeProtos
            case .reference:
                throw scanner.error("a list element cannot be an attribute reference", at: start)
            }
        } while scanner.matches(",")
        try scanner.expect("]", "to close the list of attribute '\(name)'")
        return attribute
    }

    /// One attribute value. (A tensor is boxed: inline, it would make every
    /// value as large as a `Tensor`.)
    enum AttributeValue {
        case int(Int64), float(Float), string([UInt8]), graph(Graph), type(TypeInfo)
        indirect case tensor(Tensor)
        case reference(String)

        var type: AttributeType? {
            switch self {
            case .int: return .int
            case .float: return .float
            case .string: return .string
            case .tensor: return .tensor
            case .graph: return .graph
            case .type: return .typeProto
            case .reference: return nil
            }
        }
    }

    private mutating func store(_ value: AttributeValue, in attribute: inout Attribute) {
        switch value {
        case .int(let v): attribute.i = v
        case .float(let v): attribute.f = v
        case .string(let v): attribute.s = v
        case .tensor(let v): attribute.t = v
        case .graph(let v): attribute.g = v
        case .type(let v): attribute.tp = v
        case .reference(let v):
            attribute.refAttrName = v
            return
        }
        attribute.type = value.type
    }

    /// A single value; `expected` (from a type annotation) decides between
    /// readings (an integer literal for a float) and is checked.
    private mutating func singleValue(expected: AttributeType?, in reading: GraphReading) throws(OnnxTextError) -> AttributeValue {
        let start = scanner.position
        let value: AttributeValue
        let next = scanner.peek()
        if let next, SyntaxVocabulary.isIdentifierStart(next) {
            if nextIsType() {
                let type = try self.type()
                let after = scanner.peek()
                if after == UInt8(ascii: "{") || after == UInt8(ascii: "=") || after == UInt8(ascii: "\"")
                    || !scanner.peekIdentifier().isEmpty
                {
                    let name = try scanner.optionalName()
                    _ = scanner.matches("=")
                    value = .tensor(try tensorElements(type: type, name: name))
                } else {
                    value = .type(type)
                }
            } else if SyntaxScanner.floatWords.contains(scanner.peekIdentifier().lowercased()) {
                value = .float(try scanner.float("a float"))
            } else {
                value = .graph(try graph(parent: reading))
            }
        } else if scanner.matches("@") {
            value = .reference(try scanner.name("the name of the function attribute referred to"))
        } else if expected == .graph, next == UInt8(ascii: "\"") {
            value = .graph(try graph(parent: reading))
        } else {
            let literal = try scanner.literal("an attribute value")
            switch literal {
            case .integer(let token) where expected == .float:
                value = .float(try scanner.convert(token))
            case .integer(let token):
                guard let v = Int64(token) else { throw scanner.error("integer \(token) is out of range", at: start) }
                value = .int(v)
            case .decimal(let token):
                value = .float(try scanner.convert(token))
            case .string(let bytes):
                value = .string(bytes)
            }
        }
        if let expected, expected != .undefined, let actual = value.type, actual != expected {
            throw scanner.error(
                "the attribute is declared \(SyntaxVocabulary.name(of: expected)) but its value is a "
                    + SyntaxVocabulary.name(of: actual), at: start)
        }
        return value
    }
}

extension AttributeType {
    /// The element type of a list type (`ints` → `int`); a single type is
    /// its own; nil for undefined or unknown codes.
    var singletonOfList: AttributeType? {
        switch self {
        case .floats, .float: return .float
        case .ints, .int: return .int
        case .strings, .string: return .string
        case .tensors, .tensor: return .tensor
        case .graphs, .graph: return .graph
        case .sparseTensors, .sparseTensor: return .sparseTensor
        case .typeProtos, .typeProto: return .typeProto
        default: return nil
        }
    }
}
