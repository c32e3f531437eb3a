/// One HTTP request as the router sees it: decoded path, query and the whole body.
///
/// Built by the channel handler from NIO's request parts so that routing is plain Swift
/// that tests can drive without a socket.
public struct APIRequest: Sendable {
    public var method: String
    /// The path without the query, percent-decoded per segment.
    public var path: String
    /// Query parameters; a repeated key keeps its first value.
    public var query: [String: String]
    /// Header names lower-cased; repeated headers joined with ", ".
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        var lowered: [String: String] = [:]
        for (k, v) in headers { lowered[k.lowercased()] = v }
        self.headers = lowered
        self.body = body
    }

    /// Splits a request target such as `/api/v1/pods?labelSelector=app%3Dweb`.
    public init(method: String, uri: String, headers: [String: String] = [:], body: [UInt8] = []) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let rawPath = parts.first.map(String.init) ?? "/"
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = PercentDecoding.decode(String(kv[0]), plusIsSpace: true)
                let value = kv.count > 1 ? PercentDecoding.decode(String(kv[1]), plusIsSpace: true) : ""
                if query[key] == nil { query[key] = value }
            }
        }
        self.init(method: method, path: PercentDecoding.decode(rawPath, plusIsSpace: false), query: query, headers: headers, body: body)
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// `true` for `watch=1`, `watch=true` (the forms client-go and kubectl send).
    public func flag(_ name: String) -> Bool {
        guard let v = query[name]?.lowercased() else { return false }
        return v == "1" || v == "true" || v == "t" || v == "yes"
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// `%XX` and, in query strings, `+` decoding.
enum PercentDecoding {
    static func decode(_ s: String, plusIsSpace: Bool) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else { return s }
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else if plusIsSpace, b == UInt8(ascii: "+") {
                out.append(0x20)
                i += 1
            } else {
                out.append(b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
