/// Object name rules of kube-apiserver, with its error wording.
enum NameRule: Sendable {
    /// RFC 1123 subdomain: most kinds.
    case subdomain
    /// RFC 1123 label: namespaces, services.
    case label
    /// Anything kube accepts as a path segment (RBAC kinds allow ':' etc.).
    case pathSegment

    /// nil when the name is valid, else the message kube gives after `Invalid value: "name": `.
    func violation(_ name: String) -> String? {
        switch self {
        case .subdomain:
            if name.utf8.count > 253 { return "must be no more than 253 characters" }
            let ok = name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { NameRule.isLabel($0) }
            return ok ? nil : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        case .label:
            if name.utf8.count > 63 { return "must be no more than 63 characters" }
            return NameRule.isLabel(Substring(name)) ? nil : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        case .pathSegment:
            if name == "." || name == ".." { return "may not be '\(name)'" }
            if name.contains("/") || name.contains("%") { return "may not contain '/' or '%'" }
            return nil
        }
    }

    static func isLabel(_ s: Substring) -> Bool {
        guard let first = s.utf8.first, let last = s.utf8.last, s.utf8.count <= 63 else { return false }
        func alnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) }
        return alnum(first) && alnum(last) && s.utf8.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }
}
