import JSONValue

extension LabelSelector {
    /// A selector from its JSON form (`{matchLabels: {…}, matchExpressions: [{key, operator,
    /// values}]}`), e.g. a `list` step's rendered `selector`. Nil when the JSON is not a
    /// valid selector (the loader has checked the written form; rendering may still yield
    /// non-strings).
    public init?(json: JSON) {
        guard case .object(let object) = json else { return nil }
        var labels: [String: String] = [:]
        if let matchLabels = object["matchLabels"] {
            guard case .object(let members) = matchLabels else { return nil }
            for (key, value) in members {
                guard let text = value.string else { return nil }
                labels[key] = text
            }
        }
        var requirements: [LabelRequirement] = []
        for item in object["matchExpressions"]?.array ?? [] {
            guard let key = item["key"]?.string, let name = item["operator"]?.string,
                let op = LabelRequirement.Operator(rawValue: name)
            else { return nil }
            let values = (item["values"]?.array ?? []).compactMap(\.string)
            requirements.append(LabelRequirement(key: key, operator: op, values: values))
        }
        self.init(matchLabels: labels, matchExpressions: requirements)
    }
}
