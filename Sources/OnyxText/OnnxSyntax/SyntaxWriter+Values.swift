import OnyxIR

/// Attributes, types and tensors.
extension SyntaxWriter {
    // MARK: Attributes

    mutating func attribute(_ attribute: Attribute) throws(OnnxTextError) {
        let name = attribute.name ?? ""
        guard SyntaxVocabulary.isIdentifier(name) else {
            throw OnnxTextError("attribute name '\(name)' is not an identifier, which the ONNX textual syntax requires")
        }
        write(name)
        if let reference = attribute.refAttrName {
            // A reference without a type is written without one: onnx's
            // printer writes `: undefined`, which no parser reads.
            if let type = attribute.type, type != .undefined {
                write(": ")
                write(SyntaxVocabulary.name(of: type))
            }
            write(" = @")
            // The reader takes a quoted reference too (`@"a b"`, `@""`).
            identifier(reference)
            return
        }
        write(": ")
        write(SyntaxVocabulary.name(of: attribute.type))
        write(" = ")
        switch attribute.type ?? .undefined {
        case .int: number(attribute.i ?? 0)
        case .ints: list("[", ", ", "]", attribute.ints) { w, v in w.number(v) }
        case .float: ShortestDecimal.append(attribute.f ?? 0, to: &out)
        case .floats: list("[", ", ", "]", attribute.floats) { w, v in ShortestDecimal.append(v, to: &w.out) }
        case .string: quoted(attribute.s ?? [])
        case .strings: list("[", ", ", "]", attribute.strings) { w, v in w.quoted(v) }
        case .graph:
            indent += 3
            try graph(attribute.g ?? Graph())
            indent -= 3
        case .graphs:
            indent += 3
            try list("[", ", ", "]", attribute.graphs) { w, g throws(OnnxTextError) in try w.graph(g) }
            indent -= 3
        case .tensor: try tensor(attribute.t ?? Tensor(name: nil, dataType: nil, dims: []), name: attribute.t?.name, isInitializer: false)
        case .tensors:
            try list("[", ", ", "]", attribute.tensors) { w, t throws(OnnxTextError) in
                try w.tensor(t, name: t.name, isInitializer: false)
            }
        case .typeProto: type(attribute.tp ?? TypeInfo(.unspecified))
        case .typeProtos: list("[", ", ", "]", attribute.typeProtos) { w, t in w.type(t) }
        default:
            throw OnnxTextError(
                "attribute '\(name)' is of type \(attribute.type?.description ?? "UNDEFINED"), "
                    + "which the ONNX textual syntax cannot write")
        }
    }

    // MARK: Types

    mutating func type(_ type: TypeInfo) {
        switch type.kind {
        case .tensor(let element, let shape):
            tensorType(element, shape)
        case .sparseTensor(let element, let shape):
            write("sparse_tensor(")
            tensorType(element, shape)
            write(")")
        case .sequence(let element):
            write("seq(")
            if let element { self.type(element) }
            write(")")
        case .map(let key, let value):
            write("map(")
            write(SyntaxVocabulary.name(of: key))
            write(", ")
            if let value { self.type(value) }
            write(")")
        case .optional(let element):
            write("optional(")
            if let element { self.type(element) }
            write(")")
        case .opaque(let domain, let name):
            write("opaque(")
            if let domain, !domain.isEmpty {
                write(domain)
                write(",")
            }
            if let name, !name.isEmpty { write(name) }
            write(")")
        case .unspecified:
            break
        }
    }

    private mutating func tensorType(_ element: DataType?, _ shape: Shape?) {
        write(SyntaxVocabulary.name(of: element))
        guard let shape else {
            write("[]")
            return
        }
        if !shape.dims.isEmpty {
            list("[", ",", "]", shape.dims) { w, dim in
                switch dim.extent {
                case .value(let v): w.number(v)
                case .symbol(let s): w.identifier(s)
                case .unknown: w.write("?")
                }
            }
        }
    }

    // MARK: Tensors

    mutating func tensor(_ original: Tensor, name: String?, isInitializer: Bool) throws(OnnxTextError) {
        let tensor = tensorTransform?(original) ?? original
        write(SyntaxVocabulary.name(of: tensor.dataType))
        if !tensor.dims.isEmpty { list("[", ",", "]", tensor.dims) { w, d in w.number(d) } }
        if let name, !name.isEmpty {
            write(" ")
            identifier(name)
        }
        if isInitializer { write(" = ") }
        do throws(OnnxTextError) {
            try TensorText.writeElements(of: tensor, into: &self)
        } catch {
            throw OnnxTextError(error.diagnostic.within(.tensor(name ?? "")))
        }
    }
}
