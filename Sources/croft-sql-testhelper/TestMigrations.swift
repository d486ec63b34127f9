import CroftSQL
import Foundation

/// The migrations two helper processes race to apply in the concurrent-migration test.
enum TestMigrations {
    static let migrator = Migrator([
        Migration("0001_create_accounts", up: "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
        Migration("0002_slow_seed", version: "1") { db in
            // Hold the write lock a while so the other process really has to wait.
            usleep(300_000)
            try db.execute("INSERT INTO accounts (name) VALUES ('seed')")
        },
        Migration("0003_add_email", up: "ALTER TABLE accounts ADD COLUMN email TEXT"),
    ])
}
