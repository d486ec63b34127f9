import CroftSQL
import Foundation
import Testing

/// Values from configuration and from rows others wrote never trap.
@Suite struct UntrustedValuesTests {
    @Test func outOfRangeTimeoutsAndReaderCountsAreConfigurationProblems() {
        var configuration = DatabaseConfiguration()
        configuration.busyTimeoutMilliseconds = 18_446_744_073_710  // overflowed the deadline in UInt64 nanoseconds
        configuration.readerCount = 1_000_000_000  // one thread and queue each: a hang at start-up
        #expect(configuration.problems == [
            "busy_timeout 18446744073710 is not between 0 and 2147483647 milliseconds",
            "the reader count 1000000000 is not between 1 and 256",
        ])
        let directory = TemporaryDirectory()
        #expect(throws: (any Error).self) { try DatabasePool(path: directory.path + "/db.sqlite3", configuration: configuration) }
    }

    @Test func datesReadBackFromTamperedRowsCanBeSavedAgain() throws {
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        defer { pool.close() }
        try pool.writeSync { db in
            try db.execute("CREATE TABLE t (at TEXT)")
            // 1e300 seconds: Int64(milliseconds) trapped when such a date was written back.
            for date in [Date(timeIntervalSince1970: 1e300), Date(timeIntervalSince1970: -1e300), Date(timeIntervalSince1970: .nan)] {
                try db.execute("INSERT INTO t VALUES (?)", date)
            }
            #expect(try db.fetchAll("SELECT at FROM t").map { try $0.string("at") }
                    == ["9999-12-31T23:59:59.999Z", "0000-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z"])
        }
    }
}
