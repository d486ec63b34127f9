import Crypto
import Foundation

/// Sessions in the `sessions` table of the main database.
///
/// Rows are keyed by the SHA-256 of the session id, so a copy of the database (a backup, a replica) holds no
/// usable session cookies. Expired rows are ignored when read and removed by `purgeExpired()`.
public struct SessionStore: Sendable {
    /// The database holding `sessions`.
    public let database: DatabasePool
    /// How long a session lives after its last save.
    public var lifetime: TimeInterval

    /// The table, created by the site's migrations (`SessionStore.createTableSQL`).
    public static let createTableSQL = """
        CREATE TABLE sessions (
            key_hash TEXT PRIMARY KEY,
            data TEXT NOT NULL,
            expires_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX sessions_expires_at ON sessions (expires_at);
        """

    /// A store with a two-week lifetime by default.
    public init(database: DatabasePool, lifetime: TimeInterval = 14 * 24 * 3600) {
        self.database = database
        self.lifetime = lifetime
    }

    /// A new random 256-bit session id, URL-safe.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Whether `id` has the shape of an id this store issues (43 URL-safe base64 characters).
    public static func isWellFormed(_ id: String) -> Bool {
        id.utf8.count == 43 && id.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45 || byte == 95
        }
    }

    static func keyHash(_ id: String) -> String {
        SHA256.hash(data: Array(id.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The values of a live session, or nil when unknown or expired.
    public func load(id: String) async throws -> [String: String]? {
        guard Self.isWellFormed(id) else { return nil }  // not one of ours: skip the database
        let hash = Self.keyHash(id)
        let now = Date().timeIntervalSince1970
        let text = try await database.read { db in
            try db.fetchValue(String.self, "SELECT data FROM sessions WHERE key_hash = ? AND expires_at > ?", hash, now)
        }
        guard let text, let data = text.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode([String: String].self, from: data)
    }

    /// Stores the values under `id`, extending the expiry.
    public func save(id: String, values: [String: String]) async throws {
        let hash = Self.keyHash(id)
        let text = String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
        let expires = Date().timeIntervalSince1970 + lifetime
        try await database.write { db in
            try db.execute("""
                INSERT INTO sessions (key_hash, data, expires_at) VALUES (?, ?, ?)
                ON CONFLICT (key_hash) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at
                """, hash, text, expires)
        }
    }

    /// Deletes a session.
    public func delete(id: String) async throws {
        let hash = Self.keyHash(id)
        try await database.write { db in try db.execute("DELETE FROM sessions WHERE key_hash = ?", hash) }
    }

    /// Removes expired sessions; returns how many.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        let now = Date().timeIntervalSince1970
        return try await database.write { db in
            try db.execute("DELETE FROM sessions WHERE expires_at <= ?", now)
            return db.changes
        }
    }
}
