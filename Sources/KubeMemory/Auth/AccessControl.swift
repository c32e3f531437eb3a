import Glibc
import Synchronization

/// The authentication and authorization state of one `MemoryCluster`: the mode, the tokens
/// the TokenRequest API issued, and the clock that expires them (replaceable in tests).
final class AccessControl: Sendable {
    struct State: Sendable {
        var mode: AuthorizationMode
        var tokens: [String: IssuedToken] = [:]
        var clock: @Sendable () -> Int = { Int(time(nil)) }
    }

    let state: Mutex<State>

    init(mode: AuthorizationMode) {
        state = Mutex(State(mode: mode))
    }
}
