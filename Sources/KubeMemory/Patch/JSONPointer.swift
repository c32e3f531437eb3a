import Platform

/// An RFC 6901 JSON pointer (`/spec/containers/0/image`), decoded into its tokens.
///
/// `~1` stands for `/` and `~0` for `~`, decoded in that order so that `~01` is `~1`.
struct JSONPointer: Sendable, Equatable, CustomStringConvertible {
    var tokens: [String]
    /// The pointer as written, for error messages.
    var description: String

    init(_ text: String) throws(PatchError) {
        description = text
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else {
            throw PatchError(message: "JSON pointer \"\(text)\" must be empty or start with \"/\"")
        }
        tokens = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { token in
            replacing("~0", with: "~", in: replacing("~1", with: "/", in: token))
        }
    }

    /// The pointer to a member of the value at `self`, escaped as RFC 6901 asks.
    func appending(_ token: String) -> JSONPointer {
        var copy = self
        copy.tokens.append(token)
        copy.description += "/" + replacing("/", with: "~1", in: replacing("~", with: "~0", in: token))
        return copy
    }
}

/// Replaces every `target` in `text`; Foundation is off limits in Sources/.
private func replacing(_ target: String, with replacement: String, in text: some StringProtocol) -> String {
    var result = ""
    var rest = Substring(text)
    while let range = rest.firstRange(ofText: target) {
        result += rest[..<range.lowerBound]
        result += replacement
        rest = rest[range.upperBound...]
    }
    result += rest
    return result
}
