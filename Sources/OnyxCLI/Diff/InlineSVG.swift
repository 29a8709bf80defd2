/// Graphviz drawings made ready to sit inside an HTML page: every DOT
/// source through one run of `dot -Tsvg` (one process for the whole page),
/// each SVG document cut down to its `<svg>` element.
enum InlineSVG {
    /// Why the page has no drawings.
    struct Failure: Error {
        var reason: String
    }

    /// The SVG element of each source, in order. `dot` is looked for on
    /// `searchPath` (the process's PATH by default).
    static func draw(_ sources: [String], searchPath: String?) -> Result<[String], Failure> {
        guard !sources.isEmpty else { return .success([]) }
        guard let dot = PictureFormat.dotProgram(searchPath: searchPath) else {
            return .failure(Failure(reason: "Graphviz's dot program is not installed (Debian: apt-get install graphviz)"))
        }
        let output: [UInt8]
        do {
            output = try PictureFormat.svg.draw(Array(sources.joined().utf8), with: dot)
        } catch {
            return .failure(Failure(reason: error.diagnostic.message))
        }
        let svgs = elements(String(decoding: output, as: UTF8.self))
        guard svgs.count == sources.count else {
            return .failure(Failure(reason: "dot drew \(svgs.count) graphs of \(sources.count)"))
        }
        return .success(svgs)
    }

    /// The `<svg>…</svg>` elements of a run of SVG documents, without the
    /// XML prolog, DOCTYPE and comments before each, and without namespace
    /// declarations, which HTML supplies (so the page names no URL).
    static func elements(_ documents: String) -> [String] {
        var found: [String] = []
        var rest = documents[...]
        while let start = rest.firstRange(of: "<svg"), let end = rest[start.lowerBound...].firstRange(of: "</svg>") {
            var element = String(rest[start.lowerBound..<end.upperBound])
            for namespace in [" xmlns=\"http://www.w3.org/2000/svg\"", " xmlns:xlink=\"http://www.w3.org/1999/xlink\""] {
                element = element.replacing(namespace, with: "", maxReplacements: 1)
            }
            found.append(element)
            rest = rest[end.upperBound...]
        }
        return found
    }
}
