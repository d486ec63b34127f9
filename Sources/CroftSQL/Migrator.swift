import Foundation

/// Applies an ordered list of ``Migration``s and records them in `schema_migrations`.
///
/// Each migration runs in its own `BEGIN IMMEDIATE` transaction followed by
/// `PRAGMA foreign_key_check`; a failure rolls that migration back, leaving the database exactly
/// at the previous version. Two processes migrating at once are safe: one applies, the other
/// waits and then finds nothing pending.
///
/// ```swift
/// let migrator = Migrator([
///     Migration("0001_create_users", up: "CREATE TABLE users (...)", down: "DROP TABLE users"),
/// ])
/// if try migrator.hasPending(pool) { try migrator.migrate(pool, backupDirectory: "data/backups") }
/// ```
public struct Migrator: Sendable {
    /// The migrations, in the order they apply.
    public let migrations: [Migration]

    /// The table that records applied migrations.
    public static let tableName = "schema_migrations"

    /// Creates a migrator; names must be unique.
    public init(_ migrations: [Migration]) {
        var seen = Set<String>()
        for migration in migrations {
            precondition(seen.insert(migration.name).inserted, "duplicate migration name \(migration.name)")
        }
        self.migrations = migrations
    }

    // MARK: Inspecting

    /// The migrations recorded as applied, in the order they ran, with their times.
    public func appliedMigrations(_ pool: DatabasePool) throws -> [AppliedMigration] {
        try pool.readSync { try appliedMigrations($0) }
    }

    /// The migrations not applied yet, in the order they would apply.
    ///
    /// Throws ``MigrationError`` (`.checksumMismatch`) when an applied migration was edited.
    public func pendingMigrations(_ pool: DatabasePool) throws -> [Migration] {
        try pool.readSync { db in try pending(in: db, upTo: nil) }
    }

    /// True when at least one migration is pending.
    public func hasPending(_ pool: DatabasePool) throws -> Bool {
        try !pendingMigrations(pool).isEmpty
    }

    /// The SQL `migrate(to:)` would run, as one script with a comment per migration; changes nothing
    /// (not even the `schema_migrations` table, which `migrate` creates).
    public func sqlToApply(_ pool: DatabasePool, to target: String? = nil) throws -> String {
        try pool.readSync { db in
            try pending(in: db, upTo: target).map { migration in
                let body = migration.upSQL.trimmingCharacters(in: .whitespacesAndNewlines)
                return "-- \(migration.name)\n\(body)\(body.hasSuffix(";") ? "" : ";")\n"
            }
                .joined(separator: "\n")
        }
    }

    // MARK: Applying

    /// Applies pending migrations, up to and including `target` (all when `nil`).
    ///
    /// When `backupDirectory` is given and the database already holds rows, an online backup named
    /// `pre-migrate-<yyyyMMdd-HHmmss>.sqlite3` is written there first. Returns what was done.
    @discardableResult
    public func migrate(_ pool: DatabasePool, to target: String? = nil, backupDirectory: String? = nil) throws -> MigrationResult {
        let lock = try MigrationLock.acquire(databasePath: pool.path)
        defer { lock?.release() }
        return try pool.writeWithoutTransactionSync { db in
            try MigrationSupport.createTableIfNeeded(db)
            let pending = try pending(in: db, upTo: target)
            guard !pending.isEmpty else { return MigrationResult(applied: [], backupPath: nil) }
            var backupPath: String?
            if let backupDirectory, try MigrationSupport.holdsData(db) {
                backupPath = try MigrationSupport.backup(db, into: backupDirectory)
            }
            var applied: [String] = []
            for migration in pending {
                if try apply(migration, in: db) { applied.append(migration.name) }
            }
            return MigrationResult(applied: applied, backupPath: backupPath)
        }
    }

    /// Reverts the last `count` applied migrations, newest first, by running their `down`.
    ///
    /// Refuses before changing anything when one of them has no `down`.
    @discardableResult
    public func revert(_ pool: DatabasePool, count: Int = 1) throws -> [String] {
        let lock = try MigrationLock.acquire(databasePath: pool.path)
        defer { lock?.release() }
        return try pool.writeWithoutTransactionSync { db in
            let appliedNames = Set(try appliedMigrations(db).map(\.name))
            let toRevert = Array(migrations.filter { appliedNames.contains($0.name) }.suffix(max(0, count)).reversed())
            if let irreversible = toRevert.first(where: { $0.down == nil }) {
                throw MigrationError(kind: .irreversible, migration: irreversible.name,
                                     message: "has no down step and cannot be reverted; nothing was reverted")
            }
            for migration in toRevert {
                try MigrationSupport.inMigrationTransaction(migration, db) { db in
                    try MigrationSupport.run(migration.down!, db)
                    try db.execute("DELETE FROM \(SQLIdentifier.quote(Migrator.tableName)) WHERE name = ?", migration.name)
                }
            }
            return toRevert.map(\.name)
        }
    }

    // MARK: Internals

    /// Applies one migration unless another process already did; returns whether it ran.
    private func apply(_ migration: Migration, in db: Connection) throws -> Bool {
        var ran = false
        try MigrationSupport.inMigrationTransaction(migration, db) { db in
            // Re-check under the write lock: another process may have applied it meanwhile.
            if let recorded = try db.fetchValue(String.self, "SELECT checksum FROM \(SQLIdentifier.quote(Migrator.tableName)) WHERE name = ?", migration.name) {
                try Migrator.verify(migration, recordedChecksum: recorded)
                return
            }
            try MigrationSupport.run(migration.up, db)
            try db.execute(
                "INSERT INTO \(SQLIdentifier.quote(Migrator.tableName)) (name, checksum, applied_at) VALUES (?, ?, ?)",
                migration.name, migration.checksum, Date()
            )
            ran = true
        }
        return ran
    }

    /// The pending migrations up to `target`, after checking that applied ones are unedited.
    private func pending(in db: Connection, upTo target: String?) throws -> [Migration] {
        var candidates = migrations
        if let target {
            guard let index = migrations.firstIndex(where: { $0.name == target }) else {
                throw MigrationError(kind: .unknownMigration, migration: target, message: "is not a known migration")
            }
            candidates = Array(migrations[...index])
        }
        let applied = Dictionary(try appliedMigrations(db).map { ($0.name, $0.checksum) }, uniquingKeysWith: { first, _ in first })
        for migration in migrations {
            if let recorded = applied[migration.name] { try Migrator.verify(migration, recordedChecksum: recorded) }
        }
        return candidates.filter { applied[$0.name] == nil }
    }

    private static func verify(_ migration: Migration, recordedChecksum: String) throws {
        guard recordedChecksum == migration.checksum else {
            throw MigrationError(
                kind: .checksumMismatch, migration: migration.name,
                message: "was edited after it was applied (checksum \(recordedChecksum.prefix(12)) recorded, "
                    + "\(migration.checksum.prefix(12)) now); add a new migration instead of changing an applied one"
            )
        }
    }

    /// The recorded migrations; none when the table does not exist yet (inspection changes nothing).
    private func appliedMigrations(_ db: Connection) throws -> [AppliedMigration] {
        guard try db.fetchValue(Bool.self, "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?)", Migrator.tableName) == true else {
            return []
        }
        return try db.fetchAll("SELECT name, checksum, applied_at FROM \(SQLIdentifier.quote(Migrator.tableName)) ORDER BY rowid").map {
            AppliedMigration(name: try $0.string("name"), checksum: try $0.string("checksum"), appliedAt: try $0.get("applied_at"))
        }
    }
}
