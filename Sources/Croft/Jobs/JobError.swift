/// Why the job system refused something, with what to do about it.
public enum JobError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A job row names a type this build does not register.
    case unknownJob(name: String, known: [String])
    /// A cron expression did not parse.
    case invalidSchedule(expression: String, reason: String)
    /// No job has this id (or it is not in a state the operation applies to).
    case noSuchJob(id: Int64, operation: String)

    public var description: String {
        switch self {
        case .unknownJob(let name, let known):
            "no job type is registered as '\(name)' (registered: \(known.joined(separator: ", "))); register it with JobRegistry.register(_:)"
        case .invalidSchedule(let expression, let reason):
            "invalid cron schedule '\(expression)': \(reason). Use 5 fields: minute hour day-of-month month day-of-week"
        case .noSuchJob(let id, let operation):
            "cannot \(operation) job \(id): no such job in a state that allows it"
        }
    }
}
