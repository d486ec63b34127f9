import Foundation

/// The steps the ``Migrator`` repeats: the bookkeeping table, one migration's transaction, backups.
enum MigrationSupport {
    static func createTableIfNeeded(_ db: Connection) throws {
        try db.executeScript("""
            CREATE TABLE IF NOT EXISTS \(SQLIdentifier.quote(Migrator.tableName)) (
                name TEXT PRIMARY KEY NOT NULL,
                checksum TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """)
    }

    static func run(_ step: Migration.Step, _ db: Connection) throws {
        switch step {
        case .sql(let sql): try db.executeScript(sql)
        case .closure(let body): try body(db)
        }
    }

    /// Runs `body` in `BEGIN IMMEDIATE`, checks foreign keys, and commits, or rolls back and throws
    /// a ``MigrationError`` naming the migration.
    static func inMigrationTransaction(_ migration: Migration, _ db: Connection, _ body: (Connection) throws -> Void) throws {
        // https://sqlite.org/pragma.html#pragma_foreign_keys: a no-op inside a transaction, so set it first.
        if migration.disablesForeignKeys { try db.executeScript("PRAGMA foreign_keys = OFF") }
        defer {
            if migration.disablesForeignKeys {
                try? db.executeScript("PRAGMA foreign_keys = \(db.configuration.foreignKeys ? "ON" : "OFF")")
            }
        }
        do {
            try db.transaction(.immediate) { db in
                try body(db)
                // https://sqlite.org/pragma.html#pragma_foreign_key_check
                let violations = try db.fetchAll("PRAGMA foreign_key_check")
                if let first = violations.first {
                    let table = (try? first.string("table")) ?? "?"
                    let parent = (try? first.string("parent")) ?? "?"
                    throw MigrationError(
                        kind: .foreignKeyViolation, migration: migration.name,
                        message: "left \(violations.count) foreign key violation(s) (first: a row of \(table) references a missing \(parent)); rolled back"
                    )
                }
            }
        } catch let error as MigrationError {
            throw error
        } catch let error as SQLiteError {
            throw MigrationError(kind: .failed, migration: migration.name, message: "failed: \(error); rolled back", underlying: error)
        } catch {
            throw MigrationError(kind: .failed, migration: migration.name, message: "failed: \(error); rolled back")
        }
    }

    /// True when any user table has at least one row.
    static func holdsData(_ db: Connection) throws -> Bool {
        let tables = try db.fetchAll(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ?",
            Migrator.tableName
        ).map { try $0.string("name") }
        for table in tables where try db.fetchValue(Bool.self, "SELECT EXISTS (SELECT 1 FROM \(SQLIdentifier.quote(table)))") == true {
            return true
        }
        return false
    }

    /// Writes `pre-migrate-<yyyyMMdd-HHmmss>.sqlite3` into `directory` (mode 0600); returns its path.
    static func backup(_ db: Connection, into directory: String) throws -> String {
        let stamp = SQLDateFormat.string(from: Date()).prefix(19)
            .replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "T", with: "-")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o750])
        var path = (directory as NSString).appendingPathComponent("pre-migrate-\(stamp).sqlite3")
        var suffix = 2
        // Created empty with 0600 (and O_EXCL, so two migrators never share a name) before SQLite opens it:
        // the copy holds everything the database does, so it is never readable by other users, and SQLite
        // gives its rollback journal the same mode.
        while true {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 {
                close(descriptor)
                break
            }
            guard errno == EEXIST else {
                throw DatabaseOpenError(path: path, reason: "cannot create the pre-migrate backup: \(String(cString: strerror(errno)))")
            }
            path = (directory as NSString).appendingPathComponent("pre-migrate-\(stamp)-\(suffix).sqlite3")
            suffix += 1
        }
        do {
            try db.backup(to: path)
        } catch {
            unlink(path)
            throw error
        }
        return path
    }
}
