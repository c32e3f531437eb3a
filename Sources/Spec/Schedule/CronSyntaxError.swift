/// A cron schedule that cannot be read: what is wrong, and where.
///
/// `offset` counts Unicode scalars from the start of the schedule text as given (0-based),
/// the unit YAML columns count in, so the operator-file reader turns it into `file:line:col`
/// by adding it to the scalar's column (plus one for an opening quote).
public struct CronSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// E.g. `minute field: 61 is out of range 0-59`.
    public var message: String
    /// Where the problem starts, 0-based, in Unicode scalars.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }
}
