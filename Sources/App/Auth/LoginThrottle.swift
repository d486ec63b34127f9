import Croft
import Foundation
import Synchronization

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

    /// Checks the limit and counts this attempt as a failure in one write, before the password is verified:
    /// parallel attempts are serialised by the writer, so no more than `maxFailures` are ever verified
    /// (checking first and recording after the ~0.2 s hash let 20 parallel guesses through).
    /// Returns the attempt's row id (``withdraw(attempt:in:)`` takes it back; a successful login's
    /// ``reset(email:in:)`` clears it with the rest), or nil when locked out.
    func beginAttempt(email: String, address: String, in db: Connection) throws -> Int64? {
        guard try !isLockedOut(email: email, address: address, in: db) else { return nil }
        try recordFailure(email: email, address: address, in: db)
        return db.lastInsertedRowID
    }

    /// The attempt turned out not to be a wrong password (the server was too busy to check it): not a failure.
    func withdraw(attempt: Int64, in db: Connection) throws {
        try db.execute("DELETE FROM login_failures WHERE id = ?", attempt)
    }

    /// Records a failed attempt.
    func recordFailure(email: String, address: String, in db: Connection) throws {
        // Old rows are useless: keep the table small (deleted first, so the new row's id stays the last one).
        try db.execute("DELETE FROM login_failures WHERE failed_at < ?", Date().timeIntervalSince1970 - 2 * window)
        try db.execute("INSERT INTO login_failures (email, client_address, failed_at) VALUES (?, ?, ?)",
                       email, address, Date().timeIntervalSince1970)
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

/// The highest iteration count among stored password hashes, re-read at most every five minutes: the cost a
/// decoy verification must match.
final class StoredIterations: Sendable {
    private let cached = Mutex<(database: ObjectIdentifier, value: Int, readAt: Date)?>(nil)

    func value(db: DatabasePool) async throws -> Int {
        if let cached = cached.withLock({ $0 }), cached.database == ObjectIdentifier(db),
           Date().timeIntervalSince(cached.readAt) < 300 {
            return cached.value
        }
        // 'pbkdf2_sha256$' is 14 characters: the count runs from the 15th to the next '$'.
        let highest = try await db.read { db in
            try db.fetchValue(Int.self, """
                SELECT max(CAST(substr(password_hash, 15, instr(substr(password_hash, 15), '$') - 1) AS INTEGER))
                FROM users WHERE password_hash LIKE 'pbkdf2\\_sha256$%' ESCAPE '\\'
                """) ?? 0
        }
        let value = min(highest, PasswordHasher.maximumIterations)
        cached.withLock { $0 = (ObjectIdentifier(db), value, Date()) }
        return value
    }

    /// Forgets the cached value (tests; after importing accounts).
    func reset() { cached.withLock { $0 = nil } }
}
