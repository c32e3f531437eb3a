import CYAML
import JSONValue

/// Turns libyaml's event stream into JSON documents with source positions.
///
/// Built iteratively on an explicit stack of open collections, so deep nesting cannot
/// overflow the call stack; libyaml's own parser is iterative too. Everything here is
/// local to one `YAML.load` call: the parser and its events never leave it.
struct StreamLoader {
    /// Most nodes that aliases may add to one document. Each alias use counts the whole
    /// anchored subtree, so a "billion laughs" chain fails fast instead of expanding.
    static let maxAliasNodes = 1_000_000
    /// Deepest nesting of mappings and sequences; the JSON tools downstream recurse.
    static let maxDepth = 512

    private struct Anchored {
        var value: JSON
        var tree: NodeTree
        var count: Int
    }

    private struct PendingKey {
        var name: String
        var position: SourcePosition
        var isMerge: Bool
    }

    /// An open mapping or sequence.
    private struct Frame {
        let isMapping: Bool
        let position: SourcePosition
        let anchor: String?
        var count = 1
        var items: [JSON] = []
        var itemTrees: [NodeTree] = []
        var object = JSONObject()
        var members: [String: NodeTree.Member] = [:]
        var pendingKey: PendingKey?
        var mergeSources: [(JSONObject, [String: NodeTree.Member])] = []

        init(isMapping: Bool, position: SourcePosition, anchor: String?) {
            self.isMapping = isMapping
            self.position = position
            self.anchor = anchor
        }
    }

    let file: String
    let bytes: [UInt8]
    private var text: SourceText
    private var documents: [YAMLDocument] = []
    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var aliasNodes = 0
    private var root: (value: JSON, tree: NodeTree)?
    private var rootIsEmpty = false
    private var documentStart = SourcePosition(line: 1, column: 1)

    init(file: String, bytes: [UInt8]) {
        self.file = file
        self.bytes = bytes
        self.text = SourceText(bytes: bytes)
    }

    mutating func load() throws(YAMLError) -> [YAMLDocument] {
        guard !bytes.isEmpty else { return [] }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw fail("libyaml could not set up a parser (out of memory?)", at: SourcePosition(line: 1, column: 1))
        }
        defer { yaml_parser_delete(parser) }
        let input = bytes
        var failure: YAMLError?
        input.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            yaml_parser_set_input_string(parser, base, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(parser, &event) == 1 else {
                    failure = syntaxError(parser.pointee)
                    return
                }
                let isEnd = event.type == YAML_STREAM_END_EVENT
                do throws(YAMLError) {
                    try handle(event)
                } catch {
                    failure = error
                }
                yaml_event_delete(&event)
                if isEnd || failure != nil { return }
            }
        }
        if let failure { throw failure }
        return documents
    }

    // MARK: - Events

    private mutating func handle(_ event: yaml_event_t) throws(YAMLError) {
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documentStart = position(event.start_mark)
            anchors = [:]
            aliasNodes = 0
            root = nil
            rootIsEmpty = false
        case YAML_DOCUMENT_END_EVENT:
            if let root, !rootIsEmpty {
                documents.append(YAMLDocument(file: file, value: root.value, position: documentStart, tree: root.tree))
            }
            root = nil
        case YAML_SCALAR_EVENT:
            try scalar(event)
        case YAML_ALIAS_EVENT:
            let at = position(event.start_mark)
            let name = string(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                throw fail("unknown anchor \"\(name)\" (define it with &\(name) before this alias)", at: at)
            }
            aliasNodes += anchored.count
            if aliasNodes > Self.maxAliasNodes {
                throw fail("aliases expand this document beyond \(Self.maxAliasNodes) nodes; refusing it as an alias bomb", at: at)
            }
            try complete(anchored.value, anchored.tree, count: anchored.count, at: at, isMergeKey: false)
        case YAML_SEQUENCE_START_EVENT:
            try open(isMapping: false, at: position(event.start_mark), anchor: string(event.data.sequence_start.anchor))
        case YAML_MAPPING_START_EVENT:
            try open(isMapping: true, at: position(event.start_mark), anchor: string(event.data.mapping_start.anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            try close()
        default:
            break  // stream start and end
        }
    }

    private mutating func scalar(_ event: yaml_event_t) throws(YAMLError) {
        let data = event.data.scalar
        let value: String
        if let pointer = data.value {
            value = String(decoding: UnsafeBufferPointer(start: pointer, count: data.length), as: UTF8.self)
        } else {
            value = ""
        }
        let tag = string(data.tag)
        let anchor = string(data.anchor)
        let style = Self.style(data.style)
        let at: SourcePosition
        if tag != nil || anchor != nil {
            at = text.valueStart(from: event.start_mark, to: event.end_mark) ?? position(event.start_mark)
        } else {
            at = position(event.start_mark)
        }
        if stack.isEmpty, style == .plain, value.isEmpty, tag == nil, anchor == nil {
            rootIsEmpty = true  // an empty document: a trailing `---` or only comments
        }
        var isMergeKey = false
        if style == .plain, tag == nil, value == "<<", let top = stack.last, top.isMapping, top.pendingKey == nil {
            isMergeKey = true
        }
        // A plain mapping key stays the text it is written as: `on:` is the key "on", not
        // YAML 1.1's boolean true (go-yaml would make it "true", which breaks `on:` in
        // operator files and `y`/`no` keys in ConfigMap data). Values are resolved as kubectl does.
        let isKey = stack.last.map { $0.isMapping && $0.pendingKey == nil } ?? false
        let json: JSON
        if isKey, style == .plain, tag == nil, !value.isEmpty {
            json = .string(value)
        } else {
            json = try ScalarValue.json(value, tag: tag, plain: style == .plain, file: file, at: at)
        }
        let tree = NodeTree(position: at, style: style, children: .none)
        if let anchor { anchors[anchor] = Anchored(value: json, tree: tree, count: 1) }
        try complete(json, tree, count: 1, at: at, isMergeKey: isMergeKey)
    }

    private mutating func open(isMapping: Bool, at: SourcePosition, anchor: String?) throws(YAMLError) {
        if let top = stack.last, top.isMapping, top.pendingKey == nil {
            throw fail("a \(isMapping ? "mapping" : "sequence") cannot be a mapping key: keys must be scalars (JSON keys are strings)", at: at)
        }
        if stack.count >= Self.maxDepth {
            throw fail("mappings and sequences nest deeper than \(Self.maxDepth) levels", at: at)
        }
        stack.append(Frame(isMapping: isMapping, position: at, anchor: anchor))
    }

    private mutating func close() throws(YAMLError) {
        guard var frame = stack.popLast() else { return }
        let value: JSON
        let tree: NodeTree
        if frame.isMapping {
            // Explicit keys win over merged ones; among merge sources the first wins
            // (YAML's merge key rule, as go-yaml v3 applies it).
            for (object, members) in frame.mergeSources {
                for (key, merged) in object where frame.object[key] == nil {
                    frame.object[key] = merged
                    if let member = members[key] { frame.members[key] = member }
                }
            }
            value = .object(frame.object)
            tree = NodeTree(position: frame.position, style: nil, children: .mapping(frame.members))
        } else {
            value = .array(frame.items)
            tree = NodeTree(position: frame.position, style: nil, children: .sequence(frame.itemTrees))
        }
        if let anchor = frame.anchor { anchors[anchor] = Anchored(value: value, tree: tree, count: frame.count) }
        try complete(value, tree, count: frame.count, at: frame.position, isMergeKey: false)
    }

    /// Hands a finished node to the collection that holds it (or makes it the root).
    private mutating func complete(_ value: JSON, _ tree: NodeTree, count: Int, at: SourcePosition, isMergeKey: Bool) throws(YAMLError) {
        let last = stack.count - 1
        guard last >= 0 else {
            try requireFinite(value, at: at)
            root = (value, tree)
            return
        }
        guard stack[last].isMapping else {
            try requireFinite(value, at: at)
            stack[last].items.append(value)
            stack[last].itemTrees.append(tree)
            stack[last].count += count
            return
        }
        guard let key = stack[last].pendingKey else {
            let name = isMergeKey ? "<<" : try keyString(value, at: at)
            if !isMergeKey, let first = stack[last].members[name] {
                throw fail("duplicate key \(JSON.quote(name)) (first at line \(first.keyPosition.line))", at: at)
            }
            stack[last].pendingKey = PendingKey(name: name, position: at, isMerge: isMergeKey)
            return
        }
        stack[last].pendingKey = nil
        stack[last].count += count
        if key.isMerge {
            stack[last].mergeSources += try mergeSources(value, tree, at: at)
            return
        }
        try requireFinite(value, at: at)
        stack[last].object[key.name] = value
        stack[last].members[key.name] = NodeTree.Member(keyPosition: key.position, node: tree)
    }

    private func mergeSources(_ value: JSON, _ tree: NodeTree, at: SourcePosition) throws(YAMLError) -> [(JSONObject, [String: NodeTree.Member])] {
        let wrong = "the merge key \"<<\" takes a mapping, an alias of one, or a sequence of those"
        switch (value, tree.children) {
        case let (.object(object), .mapping(members)):
            return [(object, members)]
        case let (.array(items), .sequence(trees)):
            var sources: [(JSONObject, [String: NodeTree.Member])] = []
            for (item, itemTree) in zip(items, trees) {
                guard case .object(let object) = item, case .mapping(let members) = itemTree.children else {
                    throw fail(wrong, at: itemTree.position)
                }
                sources.append((object, members))
            }
            return sources
        default:
            throw fail(wrong, at: at)
        }
    }

    /// A scalar key as sigs.k8s.io/yaml spells it in JSON.
    private func keyString(_ value: JSON, at: SourcePosition) throws(YAMLError) -> String {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return GoFloatKey.format(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: throw fail("a null mapping key has no JSON form; quote it (\"null\" or \"\") to use it as a string", at: at)
        case .array, .object: throw fail("an alias of a mapping or sequence cannot be a mapping key: keys must be scalars", at: at)
        }
    }

    private func requireFinite(_ value: JSON, at: SourcePosition) throws(YAMLError) {
        if case .double(let d) = value, !d.isFinite {
            throw fail("\(d.isNaN ? ".nan" : d < 0 ? "-.inf" : ".inf") is not a number JSON can hold; quote it to keep it as a string", at: at)
        }
    }

    // MARK: - Helpers

    private func fail(_ message: String, at: SourcePosition) -> YAMLError {
        YAMLError(file: file, position: at, message: message)
    }

    private func position(_ mark: yaml_mark_t) -> SourcePosition {
        SourcePosition(line: mark.line + 1, column: mark.column + 1)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func style(_ style: yaml_scalar_style_t) -> ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    /// libyaml's scanner, parser or reader error, with libyaml's own wording.
    private func syntaxError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return fail("libyaml ran out of memory", at: SourcePosition(line: 1, column: 1))
        case YAML_READER_ERROR:
            var detail = problem
            if parser.problem_value >= 0 {
                let hex = String(parser.problem_value, radix: 16, uppercase: true)
                detail += " (#x\(hex.count < 2 ? "0" + hex : hex) at byte \(parser.problem_offset))"
            }
            return fail("cannot read the text: \(detail); YAML files must be UTF-8 without control characters",
                        at: text.position(ofByte: parser.problem_offset))
        default:
            var message = problem
            if let context = parser.context.map({ String(cString: $0) }) {
                let mark = position(parser.context_mark)
                message += " (\(context) at line \(mark.line), column \(mark.column))"
            }
            return fail(message, at: position(parser.problem_mark))
        }
    }
}
