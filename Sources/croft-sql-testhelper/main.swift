// A child process for CroftSQL's multi-process tests. Not part of the library.
//
//   croft-sql-testhelper insert <db> <threads> <rowsPerThread> <tag>   concurrent inserts, exit 0
//   croft-sql-testhelper loop <db>                                      insert forever, print each committed id
//   croft-sql-testhelper migrate <db> [startAt]                         run the test migrations, print applied names
//                                                                       (startAt: Unix time in ms to wait for first,
//                                                                       so several children open the file together)
//   croft-sql-testhelper escape-view <db> [clear]                       keep a RowView past its closure: must trap
//                                                                       (clear: after dropping the statement cache too)
import CroftSQL
import Foundation
import Synchronization

let arguments = CommandLine.arguments

/// Writes a line straight to fd 1 (unbuffered), so a parent sees it before a kill -9.
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

guard arguments.count >= 3 else { fail("usage: croft-sql-testhelper insert|loop|migrate <db> ...") }
let path = arguments[2]

do {
    switch arguments[1] {
    case "insert":
        guard arguments.count == 6, let threads = Int(arguments[3]), let rows = Int(arguments[4]) else {
            fail("usage: insert <db> <threads> <rowsPerThread> <tag>")
        }
        let tag = arguments[5]
        // Lowest CPU priority: eight of these at once must not starve the timing-sensitive tests that
        // run in parallel in the test process (correctness here does not depend on speed).
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        let pool = try DatabasePool(path: path)
        let failures = Atomic<Int>(0)
        // Real threads, all writing at once (concurrentPerform would run only as many as there are cores).
        let finished = DispatchGroup()
        for thread in 0..<threads {
            finished.enter()
            Thread {
                defer { finished.leave() }
                for row in 0..<rows {
                    do {
                        try pool.writeSync { db in
                            try db.execute("INSERT INTO items (tag, thread, n) VALUES (?, ?, ?)", tag, thread, row)
                        }
                    } catch {
                        failures.add(1, ordering: .relaxed)
                        FileHandle.standardError.write(Data("insert failed: \(error)\n".utf8))
                    }
                }
            }.start()
        }
        finished.wait()
        pool.close()
        exit(failures.load(ordering: .relaxed) == 0 ? 0 : 2)
    case "loop":
        let pool = try DatabasePool(path: path)
        while true {
            let id = try pool.writeSync { db in
                try db.fetchValue(Int64.self, "INSERT INTO items (tag, thread, n) VALUES ('loop', 0, 0) RETURNING id")!
            }
            emit(String(id))
        }
    case "migrate":
        if arguments.count > 3, let startAt = Double(arguments[3]) {
            let wait = startAt / 1000 - Date().timeIntervalSince1970
            if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        }
        let pool = try DatabasePool(path: path)
        let applied = try TestMigrations.migrator.migrate(pool)
        for name in applied.applied { emit(name) }
        pool.close()
    case "escape-view":
        let db = try Connection(path: path)
        nonisolated(unsafe) var kept: RowView?
        let first = try db.fetchOne("SELECT 1 AS a UNION ALL SELECT 2") { view in
            kept = view
            return try view.int64("a")
        }
        emit("read \(first ?? 0) inside the closure")
        if arguments.count > 3, arguments[3] == "clear" {
            db.clearStatementCache()  // the cache no longer holds the statement; the view still must trap
        }
        // The statement was reset when fetchOne returned: this read must stop the process.
        emit("read \(try kept!.int64("a")) after it")
        exit(0)
    default:
        fail("unknown command \(arguments[1])")
    }
} catch {
    fail("error: \(error)")
}
