/// One result of ``Doctor``: what was checked, how it went, and how to fix it.
public struct DoctorFinding: Sendable, Codable, Equatable {
    /// How serious a finding is.
    public enum Severity: String, Sendable, Codable, Comparable {
        /// Fine.
        case ok
        /// Works, but risks data or availability.
        case warning
        /// Broken or unsafe: fix before going on.
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            let order: [Severity] = [.ok, .warning, .error]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    /// A short stable identifier (`settings`, `filesystem`, `writable`, `modes`, `wal`, `disk`, `holders`, `backups`).
    public let check: String
    /// The outcome.
    public let severity: Severity
    /// What was found.
    public let message: String
    /// How to fix it (empty when fine).
    public let fix: String
}
