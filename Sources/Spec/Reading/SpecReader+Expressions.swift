import JQ
import JSONValue
import YAMLLoader
import Platform

/// Reading jq fields and `${{ }}` templates: each expression is registered in the
/// operator's expression table (which gives it its ID) with the place it was written.
/// Compiling happens once for all of them (`OperatorCompiler`).
extension SpecReader {
    /// A field holding a jq expression (`when`, `if`, `forEach`, `filter`, `result`, …).
    func expression(_ node: Node?, role: String) -> Expression? {
        guard let node else { return nil }
        let text: String
        switch node.value {
        case .string(let s): text = s
        case .bool(let b): text = b ? "true" : "false"
        case .int(let i): text = String(i)
        default:
            reportType(node, expected: "a jq expression (a string)")
            return nil
        }
        guard text.contains(where: { !$0.isWhitespace }) else {
            report("\(node.label): empty jq expression", at: node)
            return nil
        }
        if text.hasPrefix("${{") {
            report("\(node.label): is a jq expression already; write it without ${{ }}", at: node)
            return nil
        }
        let id = context.expressions.add(ExpressionTable.Entry(
            source: text, role: role, reader: self, path: node.path, inKey: false, scalar: text, offset: 0))
        return Expression(id: id, source: text)
    }

    /// A value that may hold `${{ }}` templates anywhere in its strings and keys.
    func template(_ node: Node?, role: String) -> TemplateValue? {
        guard let node else { return nil }
        let compiled: JQTemplate
        do {
            compiled = try JQTemplate(node.value, compiling: false)
        } catch let error as JQTemplateError {
            for issue in error.issues {
                let (path, scalar) = resolve(issue.path, inKey: issue.inKey, under: node)
                let offset = Self.scalarCount(of: scalar, utf8Offset: issue.offsetInString)
                report("template: \(issue.error.message)",
                    at: position(inScalarAt: path, scalar: scalar, offset: offset, inKey: issue.inKey))
            }
            return nil
        } catch {
            report("template: \(error)", at: node)
            return nil
        }
        var ids: [ExpressionID] = []
        for (expression, location) in zip(compiled.expressions, compiled.locations) {
            let (path, scalar) = resolve(location.path, inKey: location.inKey, under: node)
            ids.append(context.expressions.add(ExpressionTable.Entry(
                source: expression, role: role, reader: self, path: path, inKey: location.inKey, scalar: scalar,
                offset: Self.scalarCount(of: scalar, utf8Offset: location.offsetInString))))
        }
        return TemplateValue(value: node.value, template: compiled, expressionIDs: ids)
    }

    /// A field that must be a string, possibly with templates (names, namespaces, messages).
    func templateString(_ node: Node?, role: String) -> TemplateValue? {
        guard let node else { return nil }
        guard case .string = node.value else {
            reportType(node, expected: "a string")
            return nil
        }
        return template(node, role: role)
    }

    /// A string that must be written out, not computed: kinds and apiVersions, from which
    /// `yopf manifests` derives RBAC rules.
    func literalString(_ node: Node?) -> String? {
        guard let node, let text = nonEmptyString(node) else { return nil }
        if text.includes("${{") {
            report("\(node.label): must be written out, not a template (yopf manifests derives RBAC rules from it)",
                at: node)
            return nil
        }
        return text
    }

    /// A template's string path (keys and decimal indexes) as a document path under `node`,
    /// with the string found there.
    private func resolve(_ components: [String], inKey: Bool, under node: Node) -> ([PathComponent], String) {
        var path = node.path
        var value = node.value
        for (i, component) in components.enumerated() {
            if case .array(let items) = value, let index = Int(component), items.indices.contains(index) {
                path.append(.index(index))
                value = items[index]
            } else {
                path.append(.key(component))
                if inKey && i == components.count - 1 { return (path, component) }
                value = value[component] ?? .null
            }
        }
        return (path, value.string ?? "")
    }

    func position(inScalarAt path: [PathComponent], scalar: String, offset: Int, inKey: Bool) -> SourcePosition {
        guard inKey else { return position(inScalarAt: path, scalar: scalar, offset: offset) }
        guard let start = document.node(at: path)?.keyPosition else { return position(of: path) }
        return text.position(ofOffset: offset, in: scalar, scalarAt: start, style: .plain)
    }

    /// How many Unicode scalars the first `utf8Offset` bytes of `string` hold.
    static func scalarCount(of string: String, utf8Offset: Int) -> Int {
        guard utf8Offset > 0 else { return 0 }
        let bytes = Array(string.utf8)
        return String(decoding: bytes.prefix(min(utf8Offset, bytes.count)), as: UTF8.self).unicodeScalars.count
    }
}
