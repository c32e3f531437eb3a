import JSONValue

/// The part of an object whose change makes an update: spec, labels and annotations.
/// Status, resourceVersion, managedFields and the like never do — so the operator's own
/// status writes cannot trigger its handlers again (Kopf#1294).
public enum Essence {
    /// Annotations that tools write and that are not the user's intent.
    static let ignoredAnnotations: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration",
        "deployment.kubernetes.io/revision",
    ]

    public static func of(_ object: JSON) -> JSON {
        var e: JSON = [:]
        e["spec"] = object["spec"] ?? .null
        let labels = object["metadata"]?["labels"]?.object ?? [:]
        e["labels"] = .object(labels)
        var annotations = object["metadata"]?["annotations"]?.object ?? [:]
        for key in annotations.keys where ignoredAnnotations.contains(key) || key.hasPrefix("yopf.dev/") {
            annotations.removeValue(forKey: key)
        }
        e["annotations"] = .object(annotations)
        // Objects without spec (ConfigMaps, Secrets) change through data.
        for key in ["data", "stringData", "binaryData"] where object[key] != nil { e[key] = object[key] }
        return e
    }

    /// The essence as the object presents it to handlers as `$old`: the handled essence
    /// laid back into object shape (`.spec`, `.metadata.labels`, `.metadata.annotations`).
    public static func asObject(_ essence: JSON) -> JSON {
        var o: JSON = [:]
        o["spec"] = essence["spec"] ?? .null
        o["metadata"] = ["labels": essence["labels"] ?? [:], "annotations": essence["annotations"] ?? [:]]
        for key in ["data", "stringData", "binaryData"] where essence[key] != nil { o[key] = essence[key] }
        return o
    }
}

/// One difference between two JSON values, as handlers see it in `$diff`:
/// `{op: "add"|"change"|"remove", path: ["spec","password"], field: "spec.password", old, new}`.
public struct DiffEntry: Sendable, Equatable {
    public enum Op: String, Sendable { case add, change, remove }
    public var op: Op
    public var path: [String]
    public var old: JSON
    public var new: JSON

    public var json: JSON {
        ["op": .string(op.rawValue), "path": .array(path.map { .string($0) }),
         "field": .string(path.joined(separator: ".")), "old": old, "new": new]
    }

    /// The differences between two values, going into objects (arrays compare whole), in
    /// the order of `old`'s keys then `new`'s added ones. Without recursion, so that an
    /// object nested thousands of levels deep cannot exhaust the stack: pairs still to
    /// compare wait on a stack, and equal objects simply yield no entries.
    public static func diff(_ old: JSON?, _ new: JSON?, at path: [String] = []) -> [DiffEntry] {
        var out: [DiffEntry] = []
        // Pushed in reverse, so that popping visits them in order.
        var pending: [(old: JSON?, new: JSON?, path: [String])] = [(old, new, path)]
        while let (old, new, path) = pending.popLast() {
            switch (old, new) {
            case (nil, nil): continue
            case (nil, let n?): if !n.isNull { out.append(DiffEntry(op: .add, path: path, old: .null, new: n)) }
            case (let o?, nil): if !o.isNull { out.append(DiffEntry(op: .remove, path: path, old: o, new: .null)) }
            case (let o?, let n?):
                if case .object(let oo) = o, case .object(let no) = n {
                    var children: [(old: JSON?, new: JSON?, path: [String])] = []
                    for (k, v) in oo { children.append((v, no[k], path + [k])) }
                    for (k, v) in no where oo[k] == nil { children.append((nil, v, path + [k])) }
                    pending.append(contentsOf: children.reversed())
                    continue
                }
                if o == n { continue }
                if o.isNull {
                    out.append(DiffEntry(op: .add, path: path, old: .null, new: n))
                } else if n.isNull {
                    out.append(DiffEntry(op: .remove, path: path, old: o, new: .null))
                } else {
                    out.append(DiffEntry(op: .change, path: path, old: o, new: n))
                }
            }
        }
        return out
    }
}
