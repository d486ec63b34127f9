import Croft
import CroftSQL
import Foundation
import Testing

@Suite struct SettingsTests {
    @Test func everySQLiteOverrideReachesEveryConnection() throws {
        let directory = NSTemporaryDirectory() + "croft-settings-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = Settings(environment: [
            "BASE_DIR": directory,
            "SQLITE_BUSY_TIMEOUT": "1234", "SQLITE_CACHE_SIZE": "-4000", "SQLITE_MMAP_SIZE": "0",
            "SQLITE_JOURNAL_SIZE_LIMIT": "1048576", "SQLITE_SYNCHRONOUS": "full", "SQLITE_FOREIGN_KEYS": "off",
            "SQLITE_TEMP_STORE": "file", "SQLITE_READERS": "3",
        ])
        #expect(settings.invalidValues.isEmpty)
        let pool = try DatabasePool(path: settings.databasePath, configuration: settings.databaseConfiguration)
        defer { pool.close() }
        let expected: [(String, SQLValue)] = [
            ("journal_mode", "wal"), ("synchronous", 2), ("foreign_keys", 0), ("busy_timeout", 1234),
            ("temp_store", 1), ("mmap_size", 0), ("journal_size_limit", 1_048_576), ("cache_size", -4000),
        ]
        #expect(try pool.writeSync { db in try expected.map { try db.pragma($0.0) } } == expected.map(\.1))
        #expect(try pool.readSync { db in try expected.map { try db.pragma($0.0) } } == expected.map(\.1))
        #expect(pool.statistics.readerCount == 3)
    }

    @Test func valuesThatDoNotParseAreListedInsteadOfQuietlyDefaulted() {
        let settings = Settings(environment: [
            "BASE_DIR": "/nonexistent", "PORT": "80a", "DEBUG": "maybe", "LOG_LEVEL": "loud",
            "SQLITE_CACHE_SIZE": "2k", "SQLITE_FOREIGN_KEYS": "sometimes", "MAX_BODY_SIZE": "",
        ])
        #expect(settings.invalidValues.sorted() == [
            #"DEBUG="maybe" is not one of 1, true, yes, on, 0, false, no, off"#,
            #"LOG_LEVEL="loud" is not one of trace, debug, info, notice, warning, error, critical"#,
            #"PORT="80a" is not a whole number"#,
            #"SQLITE_CACHE_SIZE="2k" is not a whole number"#,
            #"SQLITE_FOREIGN_KEYS="sometimes" is not one of 1, true, yes, on, 0, false, no, off"#,
        ])
        // An empty value counts as unset.
        #expect(settings.maxBodySize == 10 * 1024 * 1024)
        #expect(Settings(environment: ["BASE_DIR": "/nonexistent", "PORT": "70000"]).invalidValues == ["PORT=70000 is not between 0 and 65535"])
        #expect(Settings(environment: ["BASE_DIR": "/nonexistent"]).problems.isEmpty)
        #expect(Settings(environment: ["BASE_DIR": "/nonexistent", "SQLITE_TEMP_STORE": "RAM"]).problems
                == [#"temp_store "RAM" is not one of DEFAULT, FILE, MEMORY"#])
    }

    @Test func debugInProductionAndOutOfRangeLimitsAreRefused() {
        let base = ["BASE_DIR": "/nonexistent"]
        let debugProduction = Settings(environment: base.merging(["ENVIRONMENT": "production", "DEBUG": "true"]) { $1 })
        #expect(debugProduction.problems.contains { $0.hasPrefix("DEBUG=true with ENVIRONMENT=production") })
        #expect(Settings(environment: base.merging(["ENVIRONMENT": "production"]) { $1 }).problems.isEmpty)
        #expect(Settings(environment: base.merging(["DEBUG": "true"]) { $1 }).problems.isEmpty)
        // Values that would overflow or trap further on are refused here, with their range.
        let wild = Settings(environment: base.merging([
            "PASSWORD_ITERATIONS": "4294967296", "MAX_BODY_SIZE": "-1", "MAX_CONNECTIONS": "0",
        ]) { $1 })
        #expect(wild.problems == [
            "MAX_BODY_SIZE=-1 is not between 0 and 1000000000",
            "MAX_CONNECTIONS=0 is not between 1 and 1000000",
            "PASSWORD_ITERATIONS=4294967296 is not between 1 and 50000000",
        ])
        #expect(wild.passwordIterations == 1_200_000 && wild.maxConnections == 4096)
    }

    @Test func operationsValuesThatWouldTrapLaterStopStartUp() {
        // JOB_LEASE_SECONDS=inf trapped in Int(lease) right after start; WAL_WARNING_MB past 9.2e12 overflowed.
        let settings = Settings(environment: [
            "BASE_DIR": "/nonexistent", "JOB_LEASE_SECONDS": "inf", "WAL_WARNING_MB": "9223372036855",
            "BACKUP_KEEP": "ten", "WORKER_CONCURRENCY": "0",
        ])
        #expect(settings.problems == [
            #"WORKER_CONCURRENCY="0" is not a whole number between 1 and 1024"#,
            #"JOB_LEASE_SECONDS="inf" is not a number of seconds between 1 and 86400"#,
            #"BACKUP_KEEP="ten" is not a whole number between 0 and 100000"#,
            #"WAL_WARNING_MB="9223372036855" is not a whole number between 1 and 1000000000"#,
        ])
        #expect(settings.operations.jobLeaseSeconds == 60 && settings.operations.walWarningMegabytes == 64)
        for lease in ["nan", "1e19", "0", "-5"] {
            #expect(!Settings(environment: ["BASE_DIR": "/x", "JOB_LEASE_SECONDS": lease]).problems.isEmpty, "\(lease)")
        }
        #expect(Settings(environment: ["BASE_DIR": "/x", "JOB_LEASE_SECONDS": "90.5"]).operations.jobLeaseSeconds == 90.5)
    }

    @Test func freeSpaceSaturatesInsteadOfOverflowing() {
        #expect(Doctor.bytes(blocks: UInt64.max, size: 4096) == Int64.max)
        #expect(Doctor.bytes(blocks: UInt64(Int64.max / 2), size: 4) == Int64.max)
        #expect(Doctor.bytes(blocks: 10, size: 4096) == 40960)
    }
}
