/// Operator-set domains. Files spell the default domain `""` or `ai.onnx`,
/// or leave it out; these treat the three as one, so that no caller has to.
public enum OperatorDomain {
    public static let defaultName = "ai.onnx"

    /// `""` for the default domain, the domain otherwise.
    public static func normalized(_ domain: String?) -> String {
        guard let domain, domain != defaultName else { return "" }
        return domain
    }

    /// `ai.onnx` for the default domain, the domain otherwise.
    public static func displayName(_ domain: String?) -> String {
        let normalized = normalized(domain)
        return normalized.isEmpty ? defaultName : normalized
    }

    /// `Relu`, `com.microsoft.Gelu`: the op type behind a non-default domain.
    public static func qualified(_ opType: String, domain: String?) -> String {
        let normalized = normalized(domain)
        return normalized.isEmpty ? opType : normalized + "." + opType
    }
}
