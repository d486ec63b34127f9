import App
import ArgumentParser
import Croft
import Foundation

/// `app vacuum`: rebuild the database file to give free pages back to the file system.
struct Vacuum: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reclaim free space (VACUUM), then truncate the WAL.",
        discussion: """
            VACUUM writes a full copy of the database, so it needs free disk of about the database size, and it \
            holds the write lock while it runs: writes wait (reads go on). Safe to run while the site serves; \
            best in a quiet hour. https://sqlite.org/lang_vacuum.html
            """)

    func run() throws {
        try withExistingDatabase(toDo: "to vacuum") { settings, database in try vacuum(settings, database) }
    }

    private func vacuum(_ settings: Settings, _ database: DatabasePool) throws {
        let before = try database.readSync { db in try db.pageCounts() }
        var space = statvfs()
        if statvfs(settings.dataDirectory, &space) == 0 {
            let free = Doctor.bytes(blocks: space.f_bavail, size: space.f_frsize)
            let needed = Int64(before.pages * before.pageSize)
            guard free > needed else {
                throw CommandFailure("VACUUM needs about \(Doctor.megabytes(needed)) of free disk; only \(Doctor.megabytes(free)) is free in \(settings.dataDirectory).")
            }
        }
        try database.writeWithoutTransactionSync { db in
            try db.executeScript("VACUUM")
            try db.executeScript("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let after = try database.readSync { db in try db.pageCounts() }
        print("vacuum: \(Doctor.megabytes(Int64(before.pages * before.pageSize))) -> \(Doctor.megabytes(Int64(after.pages * after.pageSize))) (\(before.freePages) free pages reclaimed)")
    }
}
