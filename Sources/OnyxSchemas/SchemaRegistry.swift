import OnyxIR
import Synchronization

/// Which schema an operator has at an opset, as onnx resolves it.
public enum SchemaLookup: Hashable, Sendable {
    /// The version in force: the highest `sinceVersion` not above the opset.
    case found(OpSchema)
    /// The version in force is deprecated (onnx marks removed operators so).
    case deprecated(OpSchema)
    /// The operator exists only from a later opset (`firstVersion`).
    case notYetDefined(firstVersion: Int64)
    /// The domain has schemas, but none of this name.
    case unknownOperator
    /// No schema of this domain is known (a custom domain).
    case unknownDomain

    /// The schema in force, deprecated or not.
    public var schema: OpSchema? {
        switch self {
        case .found(let schema), .deprecated(let schema): return schema
        default: return nil
        }
    }
}

/// Every operator schema, by domain and name, with its whole version
/// history.
///
/// The data is compiled in as text and read lazily: a domain is indexed
/// (one pass that finds each version's block and reads its since_version)
/// when first asked about, and a version is parsed when it is first looked
/// up, so a tool that checks a one-node model parses one schema. Safe to
/// share between threads.
public final class SchemaRegistry: Sendable {
    /// The schemas of the pinned onnx (1.23.2).
    public static let standard = SchemaRegistry(texts: SchemaData.domains)

    /// One version's block of schema text, parsed when first asked for.
    private struct Version {
        var sinceVersion: Int64
        var text: Substring
        var schema: OpSchema?
    }

    private struct State {
        /// Every operator's versions, oldest first, by domain then name.
        var indexes: [String: [String: [Version]]] = [:]

        /// Indexes `domain` when it is first asked about.
        mutating func index(_ domain: String, text: String) {
            guard indexes[domain] == nil else { return }
            indexes[domain] = SchemaText.index(text).mapValues { blocks in
                blocks.map { Version(sinceVersion: $0.sinceVersion, text: $0.text) }
            }
        }

        /// The schema of the version of `name` at `position`, parsed once.
        mutating func schema(of name: String, domain: String, at position: Int) -> OpSchema {
            let version = indexes[domain]![name]![position]
            if let schema = version.schema { return schema }
            let schema = SchemaText.parse(version.text, domain: domain)
            indexes[domain]![name]![position].schema = schema
            return schema
        }
    }

    private let texts: [String: String]
    private let state = Mutex(State())

    /// The standard schemas and those of more domains, each given as text
    /// in the format of `schemas/operators/*.schemas` (a tab-separated
    /// `schema` line per version, then its `input`, `output`, `attribute`,
    /// `constraint` and `function` lines): how a tool makes its own
    /// operators known. A domain the standard set has keeps its schemas.
    public convenience init(addingDomains extra: [(domain: String, text: String)]) {
        self.init(texts: SchemaData.domains + extra)
    }

    /// A registry over schema texts, by domain (`""` for the default).
    init(texts: [(domain: String, text: String)]) {
        self.texts = Dictionary(texts.map { ($0.domain, $0.text) }, uniquingKeysWith: { first, _ in first })
    }

    /// The domains with schemas, the default one as `""`.
    public var domains: [String] { texts.keys.sorted() }

    /// Every version of `name` in `domain`, oldest first; empty when unknown.
    public func versions(of name: String, domain: String?) -> [OpSchema] {
        let domain = OperatorDomain.normalized(domain)
        guard let text = texts[domain] else { return [] }
        return state.withLock { state in
            state.index(domain, text: text)
            let count = state.indexes[domain]?[name]?.count ?? 0
            return (0..<count).map { state.schema(of: name, domain: domain, at: $0) }
        }
    }

    /// The schema of `name` in `domain` at `opset` of that domain. Only the
    /// version in force is parsed.
    public func lookup(_ name: String, domain: String?, opset: Int64) -> SchemaLookup {
        let domain = OperatorDomain.normalized(domain)
        guard let text = texts[domain] else { return .unknownDomain }
        return state.withLock { state in
            state.index(domain, text: text)
            guard let versions = state.indexes[domain]?[name], let first = versions.first else { return .unknownOperator }
            guard let position = versions.lastIndex(where: { $0.sinceVersion <= opset }) else {
                return .notYetDefined(firstVersion: first.sinceVersion)
            }
            let schema = state.schema(of: name, domain: domain, at: position)
            return schema.isDeprecated ? .deprecated(schema) : .found(schema)
        }
    }

    /// The names of every operator of `domain`, sorted.
    public func operators(in domain: String?) -> [String] {
        let domain = OperatorDomain.normalized(domain)
        guard let text = texts[domain] else { return [] }
        return state.withLock { state in
            state.index(domain, text: text)
            return state.indexes[domain, default: [:]].keys.sorted()
        }
    }

    /// Every schema of every domain, in domain, name and version order.
    public var allSchemas: [OpSchema] {
        domains.flatMap { domain in operators(in: domain).flatMap { versions(of: $0, domain: domain) } }
    }
}
