import JSONValue
import Kube

/// The Kubernetes remote-command channel protocol over WebSocket (`v4.channel.k8s.io`,
/// `v5.channel.k8s.io`): every binary message starts with a channel byte.
///
/// - 0 stdin (client → server), 1 stdout, 2 stderr, 3 error: one `Status` object when the
///   command ends, 4 resize (`{"Width": w, "Height": h}`, client → server, terminals only).
/// - v5 adds the close signal: the message `[255, channel]` half-closes that channel, so a
///   command reading stdin sees end of input. v4 has no way to end stdin short of hanging up,
///   which is why yopf streams stdin only over v5.
enum ExecChannelProtocol {
    static let v5 = "v5.channel.k8s.io"
    static let v4 = "v4.channel.k8s.io"

    enum Channel: UInt8 {
        case stdin = 0, stdout = 1, stderr = 2, error = 3, resize = 4
    }

    /// The v5 message that says "no more stdin".
    static let closeStdin: [UInt8] = [255, Channel.stdin.rawValue]

    /// The largest stdin piece per message: small enough to keep frames moving, large enough
    /// that the channel byte and framing cost nothing.
    static let stdinPiece = 32 << 10

    /// stdin bytes as messages.
    static func stdinMessages(_ bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + stdinPiece)
            var m: [UInt8] = [Channel.stdin.rawValue]
            m.append(contentsOf: bytes[start..<end])
            out.append(m)
            start = end
        }
        return out
    }

    /// A terminal size change.
    static func resize(width: Int, height: Int) -> [UInt8] {
        [Channel.resize.rawValue] + JSON.object(["Width": .int(width), "Height": .int(height)]).serializedBytes()
    }

    /// What one message from the server carries.
    enum Incoming: Equatable {
        case stdout(ArraySlice<UInt8>)
        case stderr(ArraySlice<UInt8>)
        case error(ArraySlice<UInt8>)
        /// Empty messages (servers open each channel with one) and channels unknown to us.
        case ignored
    }

    static func decode(_ message: [UInt8]) -> Incoming {
        guard let first = message.first, message.count > 1 else { return .ignored }
        let data = message[1...]
        switch Channel(rawValue: first) {
        case .stdout: return .stdout(data)
        case .stderr: return .stderr(data)
        case .error: return .error(data)
        default: return .ignored
        }
    }

    /// The exit code a `Status` on the error channel stands for: 0 for `Success`, N for a
    /// `NonZeroExitCode` failure whose causes hold `{reason: ExitCode, message: "N"}`.
    /// Any other failure (the program could not be started, the container is gone) throws
    /// with the server's message.
    static func exitCode(status bytes: [UInt8], pod: String) throws -> Int {
        guard let status = try? JSON.parse(bytes) else {
            let text = String(decoding: bytes.prefix(500), as: UTF8.self)
            throw PodExecError("exec in pod \(pod) failed: \(text)")
        }
        if status["status"]?.string == "Success" { return 0 }
        if status["reason"]?.string == "NonZeroExitCode" {
            for cause in status["details"]?["causes"]?.array ?? [] where cause["reason"]?.string == "ExitCode" {
                if let text = cause["message"]?.string, let code = Int(text) { return code }
                if let code = cause["message"]?.int { return code }
            }
            throw PodExecError("exec in pod \(pod): the command failed, but the server gave no exit code: \(status["message"]?.string ?? "")")
        }
        let message = status["message"]?.string ?? String(decoding: bytes.prefix(500), as: UTF8.self)
        throw PodExecError("exec in pod \(pod) failed: \(message)")
    }
}
