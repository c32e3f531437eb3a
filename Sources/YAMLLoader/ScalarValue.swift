import JSONValue

/// The JSON value of one scalar, from its text, explicit tag and style.
enum ScalarValue {
    static let yamlTagPrefix = "tag:yaml.org,2002:"

    /// Quoted and block scalars are strings; plain ones are resolved like kubectl
    /// (see `PlainScalar`). An explicit standard tag asks for a type and fails when the
    /// text is not of that type (`!!int abc`); `!!float` also takes integers. `!!binary`
    /// stays the base64 text (without line breaks), which is what Kubernetes `data`
    /// fields want. `!!str`, `!!timestamp`, the non-specific `!` and application tags
    /// (`!Ref x`) keep the text as a string, as go-yaml does for untyped targets.
    static func json(_ text: String, tag: String?, plain: Bool, file: String, at: SourcePosition) throws(YAMLError) -> JSON {
        guard let tag else { return plain ? resolved(text) : .string(text) }
        guard tag.hasPrefix(yamlTagPrefix) else { return .string(text) }
        let name = String(tag.dropFirst(yamlTagPrefix.count))
        let resolution = PlainScalar.resolve(text)
        func mismatch() -> YAMLError {
            YAMLError(file: file, position: at, message: "cannot read \(JSON.quote(text)) as !!\(name); remove the tag or fix the value")
        }
        switch name {
        case "int":
            switch resolution {
            case .int, .unsigned: return resolved(text)
            default: throw mismatch()
            }
        case "float":
            switch resolution {
            case .int(let i): return .double(Double(i))
            case .unsigned(let u): return .double(Double(u))
            case .double(let d): return .double(d)
            default: throw mismatch()
            }
        case "bool":
            guard case .bool(let b) = resolution else { throw mismatch() }
            return .bool(b)
        case "null":
            guard case .null = resolution else { throw mismatch() }
            return .null
        case "binary":
            return .string(String(String.UnicodeScalarView(text.unicodeScalars.filter { !$0.properties.isWhitespace })))
        default:
            return .string(text)
        }
    }

    static func resolved(_ text: String) -> JSON {
        switch PlainScalar.resolve(text) {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .unsigned(let u): return .double(Double(u))
        case .string, .merge: return .string(text)
        }
    }
}
