import JSONValue

/// Writes JSON as block-style YAML that loads back to the same JSON.
///
/// Layout follows `kubectl get -o yaml`: two-space indentation, sequences under a key at
/// the key's own indentation, `- key: value` for mappings in sequences. Strings stay
/// plain only when the loader would read them back as the same string; multi-line
/// strings use a literal block (`|`) when that is exact, double quotes otherwise.
/// Non-finite doubles have no YAML-for-JSON form and are written as `null`, as the JSON
/// serializer does.
struct YAMLEmitter {
    private var out: [UInt8] = []

    /// Longest key written as a simple `key: value`; libyaml rejects simple keys over
    /// 1024 characters, so longer ones use the explicit `? key` form.
    private static let maxSimpleKeyLength = 1000

    var text: String { String(decoding: out, as: UTF8.self) }

    mutating func separator() {
        out.append(contentsOf: "---\n".utf8)
    }

    mutating func document(_ value: JSON) {
        switch value {
        case .object(let object) where !object.isEmpty:
            mapping(object, indent: 0, inline: false)
        case .array(let items) where !items.isEmpty:
            sequence(items, indent: 0, inline: false)
        default:
            scalar(value, contentIndent: 2)
        }
    }

    private mutating func mapping(_ object: JSONObject, indent: Int, inline: Bool) {
        for (i, (key, value)) in object.enumerated() {
            if i > 0 || !inline { spaces(indent) }
            let keyText = ScalarText.inline(key)
            if keyText.utf8.count > Self.maxSimpleKeyLength {
                out.append(contentsOf: "? ".utf8)
                out.append(contentsOf: keyText.utf8)
                out.append(0x0A)
                spaces(indent)
            } else {
                out.append(contentsOf: keyText.utf8)
            }
            out.append(UInt8(ascii: ":"))
            switch value {
            case .object(let child) where !child.isEmpty:
                out.append(0x0A)
                mapping(child, indent: indent + 2, inline: false)
            case .array(let items) where !items.isEmpty:
                out.append(0x0A)
                sequence(items, indent: indent, inline: false)
            default:
                out.append(0x20)
                scalar(value, contentIndent: indent + 2)
            }
        }
    }

    private mutating func sequence(_ items: [JSON], indent: Int, inline: Bool) {
        for (i, item) in items.enumerated() {
            if i > 0 || !inline { spaces(indent) }
            out.append(contentsOf: "- ".utf8)
            switch item {
            case .object(let child) where !child.isEmpty:
                mapping(child, indent: indent + 2, inline: true)
            case .array(let nested) where !nested.isEmpty:
                sequence(nested, indent: indent + 2, inline: true)
            default:
                scalar(item, contentIndent: indent + 2)
            }
        }
    }

    /// A scalar (or empty collection) and its line break; block scalar lines go at
    /// `contentIndent`, which is two more than the column of the key or dash before it.
    private mutating func scalar(_ value: JSON, contentIndent: Int) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: JSON.format(d).utf8)
        case .array: out.append(contentsOf: "[]".utf8)
        case .object: out.append(contentsOf: "{}".utf8)
        case .string(let s):
            if let literal = ScalarText.literal(s) {
                out.append(contentsOf: literal.header.utf8)
                for line in literal.lines {
                    out.append(0x0A)
                    if !line.isEmpty {
                        spaces(contentIndent)
                        out.append(contentsOf: line.utf8)
                    }
                }
            } else {
                out.append(contentsOf: ScalarText.inline(s).utf8)
            }
        }
        out.append(0x0A)
    }

    private mutating func spaces(_ count: Int) {
        out.append(contentsOf: repeatElement(0x20, count: count))
    }
}
