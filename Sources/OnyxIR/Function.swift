/// A model-local function (`FunctionProto`): a reusable body called by nodes
/// whose (domain, opType, overload) match it.
///
/// The body is a `Graph` whose inputs and outputs are the function's formal
/// parameters (untyped, as in the file); nodes in it may carry attributes
/// that refer to the function's own (`Attribute.refAttrName`).
public final class Function {
    public var name: String?
    public var domain: String?
    public var overload: String?
    public var docString: String?
    /// Names of attributes without a default.
    public var attributeNames: [String] = []
    /// Attributes with a default value.
    public var attributeDefaults: [Attribute] = []
    public var opsetImports: [OpsetImport] = []
    public var metadataProps: [StringPair] = []
    public var unknownFields: [UnknownField] = []
    public let body: Graph

    public init(name: String?, domain: String?, body: Graph = Graph()) {
        self.name = name
        self.domain = domain
        self.body = body
    }
}
