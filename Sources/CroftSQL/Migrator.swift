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
        try pool.readSync { db in try plan(in: db, to: nil).apply }
    }

    /// True when at least one migration is pending.
    public func hasPending(_ pool: DatabasePool) throws -> Bool {
        try !pendingMigrations(pool).isEmpty
    }

    /// The SQL `migrate(to:)` would run, as one script with a comment per migration; changes nothing
    /// (not even the `schema_migrations` table, which `migrate` creates). When `target` is behind the
    /// applied migrations, the `down` SQL of those after it comes first.
    public func sqlToApply(_ pool: DatabasePool, to target: String? = nil) throws -> String {
        try pool.readSync { db in try Migrator.script(plan(in: db, to: target)) }
    }

    /// ``sqlToApply(_:to:)`` for a database that does not exist yet (every migration up to `target`),
    /// so that previewing does not have to create the file.
    public func sqlToApplyToNewDatabase(to target: String? = nil) throws -> String {
        try Migrator.script(Plan(revert: [], apply: Array(migrations[..<end(of: target)])))
    }

    private static func script(_ plan: Plan) throws -> String {
        let reverts = try plan.revert.map { migration -> String in
            guard let down = migration.downSQL else { throw Migrator.irreversible(migration) }
            return scriptSection("revert \(migration.name)", down)
        }
        let applies = plan.apply.map { scriptSection($0.name, $0.upSQL) }
        return (reverts + applies).joined(separator: "\n")
    }

    private static func scriptSection(_ title: String, _ sql: String) -> String {
        let body = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        return "-- \(title)\n\(body)\(body.hasSuffix(";") ? "" : ";")\n"
    }

    // MARK: Applying

    /// Brings the database to `target`: applies pending migrations up to and including it (all when
    /// `nil`) and, when `target` is behind the applied ones, first reverts those after it, newest first.
    ///
    /// When `backupDirectory` is given and the database already holds rows, an online backup named
    /// `pre-migrate-<yyyyMMdd-HHmmss>.sqlite3` is written there first. Refuses before changing anything
    /// when a migration to revert has no `down`. Returns what was done.
    @discardableResult
    public func migrate(_ pool: DatabasePool, to target: String? = nil, backupDirectory: String? = nil) throws -> MigrationResult {
        let lock = try MigrationLock.acquire(databasePath: pool.path)
        defer { lock?.release() }
        return try pool.writeWithoutTransactionSync { db in
            try MigrationSupport.createTableIfNeeded(db)
            let plan = try plan(in: db, to: target)
            return try run(plan, in: db, backupDirectory: backupDirectory)
        }
    }

    /// Reverts the last `count` applied migrations, newest first, by running their `down`.
    ///
    /// Refuses before changing anything when one of them has no `down`, or when any applied migration
    /// was edited since. With `backupDirectory`, a database that holds rows is backed up first, as
    /// for ``migrate(_:to:backupDirectory:)``: a `down` usually drops something.
    @discardableResult
    public func revert(_ pool: DatabasePool, count: Int = 1, backupDirectory: String? = nil) throws -> MigrationResult {
        let lock = try MigrationLock.acquire(databasePath: pool.path)
        defer { lock?.release() }
        return try pool.writeWithoutTransactionSync { db in
            let applied = try verifiedApplied(in: db)
            let toRevert = Array(migrations.filter { applied[$0.name] != nil }.suffix(max(0, count)).reversed())
            return try run(Plan(revert: toRevert, apply: []), in: db, backupDirectory: backupDirectory)
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

    /// What bringing the database to a target takes: migrations to revert (newest first), then to apply.
    private struct Plan {
        var revert: [Migration]
        var apply: [Migration]
    }

    /// Reverts, then applies, the migrations of `plan`, after a backup when asked for and there is data.
    private func run(_ plan: Plan, in db: Connection, backupDirectory: String?) throws -> MigrationResult {
        guard !plan.revert.isEmpty || !plan.apply.isEmpty else { return MigrationResult() }
        if let irreversible = plan.revert.first(where: { $0.down == nil }) { throw Migrator.irreversible(irreversible) }
        var backupPath: String?
        if let backupDirectory, try MigrationSupport.holdsData(db) {
            backupPath = try MigrationSupport.backup(db, into: backupDirectory)
        }
        var reverted: [String] = []
        for migration in plan.revert {
            if try unapply(migration, in: db) { reverted.append(migration.name) }
        }
        var applied: [String] = []
        for migration in plan.apply {
            if try apply(migration, in: db) { applied.append(migration.name) }
        }
        return MigrationResult(applied: applied, reverted: reverted, backupPath: backupPath)
    }

    /// Runs the `down` of one applied migration and forgets it; returns whether it ran.
    private func unapply(_ migration: Migration, in db: Connection) throws -> Bool {
        var ran = false
        try MigrationSupport.inMigrationTransaction(migration, db) { db in
            // Re-check under the write lock, as apply does: still applied, and still unedited.
            guard let recorded = try db.fetchValue(String.self, "SELECT checksum FROM \(SQLIdentifier.quote(Migrator.tableName)) WHERE name = ?", migration.name) else {
                return
            }
            try Migrator.verify(migration, recordedChecksum: recorded)
            try MigrationSupport.run(migration.down!, db)
            try db.execute("DELETE FROM \(SQLIdentifier.quote(Migrator.tableName)) WHERE name = ?", migration.name)
            ran = true
        }
        return ran
    }

    /// What bringing the database to `target` (the last migration when `nil`) takes.
    private func plan(in db: Connection, to target: String?) throws -> Plan {
        let end = try end(of: target)
        let applied = try verifiedApplied(in: db)
        return Plan(
            revert: migrations[end...].filter { applied[$0.name] != nil }.reversed(),
            apply: migrations[..<end].filter { applied[$0.name] == nil }
        )
    }

    /// The index just past `target` in `migrations` (the end when `nil`).
    private func end(of target: String?) throws -> Int {
        guard let target else { return migrations.endIndex }
        guard let index = migrations.firstIndex(where: { $0.name == target }) else {
            throw MigrationError(kind: .unknownMigration, migration: target, message: "is not a known migration")
        }
        return index + 1
    }

    /// The applied migrations' recorded checksums by name, after checking none was edited since.
    private func verifiedApplied(in db: Connection) throws -> [String: String] {
        let applied = Dictionary(try appliedMigrations(db).map { ($0.name, $0.checksum) }, uniquingKeysWith: { first, _ in first })
        for migration in migrations {
            if let recorded = applied[migration.name] { try Migrator.verify(migration, recordedChecksum: recorded) }
        }
        return applied
    }

    private static func irreversible(_ migration: Migration) -> MigrationError {
        MigrationError(kind: .irreversible, migration: migration.name,
                       message: "has no down step and cannot be reverted; nothing was changed")
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
