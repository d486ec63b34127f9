import Croft
import Foundation

/// Refuses logins after repeated failures, as Django-axes does: 5 failures for one account from one client
/// address within 15 minutes lock that pair out for 15 minutes. Counted in SQLite (`login_failures`).
struct LoginThrottle: Sendable {
    var maxFailures = 5
    var window: TimeInterval = 15 * 60

    /// Whether this email and address are locked out now.
    func isLockedOut(email: String, address: String, in db: Connection) throws -> Bool {
        let since = Date().timeIntervalSince1970 - window
        let count = try db.fetchValue(
            Int.self, "SELECT count(*) FROM login_failures WHERE email = ? AND client_address = ? AND failed_at > ?",
            email, address, since) ?? 0
        return count >= maxFailures
    }

    /// Records a failed attempt.
    func recordFailure(email: String, address: String, in db: Connection) throws {
        try db.execute("INSERT INTO login_failures (email, client_address, failed_at) VALUES (?, ?, ?)",
                       email, address, Date().timeIntervalSince1970)
        // Old rows are useless: keep the table small.
        try db.execute("DELETE FROM login_failures WHERE failed_at < ?", Date().timeIntervalSince1970 - 2 * window)
    }

    /// Forgets the failures of an account (after a successful login, or a staff reset).
    func reset(email: String, in db: Connection) throws {
        try db.execute("DELETE FROM login_failures WHERE email = ?", email)
    }

    /// Accounts currently locked out, for the staff page.
    func lockedOut(in db: Connection) throws -> [String] {
        let since = Date().timeIntervalSince1970 - window
        return try db.fetchAll("""
            SELECT email FROM login_failures WHERE failed_at > ?
            GROUP BY email, client_address HAVING count(*) >= ? ORDER BY email
            """, since, maxFailures).map { try $0.string("email") }
    }
}
