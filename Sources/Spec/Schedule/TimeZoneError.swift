/// A time zone that cannot be used, with a message that names it and says what to do.
///
/// The message does not name the field (`timeZone:`); the operator-file reader puts it in
/// front, at the field's position.
public struct TimeZoneError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Not a possible IANA name (empty, `Local`, a path, characters no zone name has).
        case invalidName
        /// A valid name that no zone has (the zone data exists); see `suggestion`.
        case unknownZone
        /// No zone data on this machine, and the zone is not one of the built-in ones.
        case noZoneData
        /// The zone file exists but cannot be read.
        case unreadable
        /// The zone file or POSIX rule is damaged or not a zone file.
        case malformed
    }

    /// The zone as written.
    public var zone: String
    public var kind: Kind
    /// The whole message, e.g. `unknown time zone "Europe/Berln" (did you mean "Europe/Berlin"?)`.
    public var message: String
    /// The closest known zone name, for unknown zones.
    public var suggestion: String?

    public init(zone: String, kind: Kind, message: String, suggestion: String? = nil) {
        self.zone = zone
        self.kind = kind
        self.message = message
        self.suggestion = suggestion
    }

    public var description: String { message }
}
