import CroftSQL
import Foundation
import Testing

@Suite(.serialized) struct MultiProcessTests {
    @Test func thirtyTwoWritersInEightProcessesLoseNothing() async throws {
        // 32 writers × 500 single-row inserts, as 8 processes of 4 threads: across processes SQLite's
        // own locks (and busy_timeout) arbitrate; within each, the pool's writer queue.
        let directory = TemporaryDirectory()
        let pool = try directory.makePool()
        let processes = try (0..<8).map { index in
            try TestHelper.start(["insert", directory.file("db.sqlite3"), "4", "500", "p\(index)"])
        }
        let children = processes
        let statuses = try await offCooperativePool {
            children.map { process, output in
                _ = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return process.terminationStatus
            }
        }
        #expect(statuses == Array(repeating: 0, count: 8))  // 2: some insert failed (the child prints which)
        #expect(try pool.readSync { try $0.fetchValue(Int.self, "SELECT count(*) FROM items") } == 8 * 4 * 500)
        #expect(try pool.readSync { try $0.fetchValue(Int.self, "SELECT count(DISTINCT tag || '/' || thread || '/' || n) FROM items") } == 8 * 4 * 500)
        #expect(try pool.readSync { try $0.fetchValue(String.self, "PRAGMA integrity_check") } == "ok")
        pool.close()
    }

    @Test func killDashNineMidWriteLosesNoAcknowledgedCommit() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("db.sqlite3")
        try directory.makePool().close()
        let (process, output) = try TestHelper.start(["loop", path])
        var buffer = Data()
        while buffer.split(separator: UInt8(ascii: "\n")).count < 300 {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
        }
        kill(process.processIdentifier, SIGKILL)
        buffer.append(output.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        // Only complete lines are acknowledged commits.
        var text = String(decoding: buffer, as: UTF8.self)
        if !text.hasSuffix("\n"), let lastNewline = text.lastIndex(of: "\n") { text = String(text[...lastNewline]) }
        let acknowledged = text.split(separator: "\n").compactMap { Int64($0) }
        #expect(acknowledged.count >= 300)

        let pool = try DatabasePool(path: path)
        defer { pool.close() }
        let (integrity, stored) = try pool.readSync { db in
            (try db.fetchValue(String.self, "PRAGMA integrity_check"),
             Set(try db.fetchAll("SELECT id FROM items").map { try $0.int64("id") }))
        }
        #expect(integrity == "ok")
        #expect(acknowledged.allSatisfy(stored.contains))
    }
}
