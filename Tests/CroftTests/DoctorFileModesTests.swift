import Foundation
import Testing
@testable import Croft

/// `app doctor`'s `modes` check: what other users can reach in `data/`, and the `chmod` that closes it.
@Suite struct DoctorFileModesTests {
    let directory: OperationsDirectory
    var data: String { directory.file("data") }
    var doctor: Doctor {
        Doctor(dataDirectory: data, databasePath: data + "/db.sqlite3", backups: BackupStore(directory: data + "/backups"))
    }

    init() throws {
        directory = try OperationsDirectory()
        try FileManager.default.createDirectory(atPath: data + "/backups", withIntermediateDirectories: true)
    }

    /// Creates (or replaces) `path` with some content and `mode`.
    private func place(_ path: String, mode: Int) throws {
        if !FileManager.default.fileExists(atPath: path) {
            #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        }
        #expect(chmod(path, mode_t(mode)) == 0)
    }

    /// Gives every file its mode: the data directory, the database and its `-wal`, the key, the backups.
    private func lay(data dataMode: Int, backups backupsMode: Int, database: Int, wal: Int, key: Int, backup: Int) throws {
        #expect(chmod(data, mode_t(dataMode)) == 0)
        #expect(chmod(data + "/backups", mode_t(backupsMode)) == 0)
        try place(data + "/db.sqlite3", mode: database)
        try place(data + "/db.sqlite3-wal", mode: wal)
        try place(data + "/.secret_key", mode: key)
        try place(data + "/backups/db-20260101-030000.sqlite3", mode: backup)
    }

    @Test func theModesUmask027GivesPass() throws {
        try lay(data: 0o750, backups: 0o750, database: 0o640, wal: 0o640, key: 0o600, backup: 0o600)
        let finding = doctor.fileModes()
        #expect(finding.severity == .ok, "\(finding.message)")
        #expect(finding.check == "modes")
        #expect(doctor.run().map(\.check).contains("modes"))
    }

    @Test func namesEveryLooseFileAndTheChmodThatClosesIt() throws {
        try lay(data: 0o755, backups: 0o777, database: 0o644, wal: 0o660, key: 0o640, backup: 0o644)
        let finding = doctor.fileModes()
        #expect(finding.severity == .warning)
        #expect(finding.message == [
            "\(data) is 0755 (readable by others)",
            "\(data)/db.sqlite3 is 0644 (readable by others)",
            "\(data)/db.sqlite3-wal is 0660 (writable by group)",
            "\(data)/.secret_key is 0640 (readable by group)",
            "\(data)/backups is 0777 (readable and writable by others)",
            "\(data)/backups/db-20260101-030000.sqlite3 is 0644 (readable by group and others)",
        ].joined(separator: "; "))
        let command = try #require(finding.fix.split(separator: "`").dropFirst().first.map(String.init))
        #expect(command == "chmod 750 \(data) \(data)/backups && chmod 640 \(data)/db.sqlite3 \(data)/db.sqlite3-wal"
                    + " && chmod 600 \(data)/.secret_key \(data)/backups/db-20260101-030000.sqlite3")
        // The fix, run as printed, is the whole fix.
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", command]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(doctor.fileModes().severity == .ok)
    }

    @Test func missingFilesAreNotFindings() throws {
        #expect(chmod(data, 0o700) == 0)
        #expect(chmod(data + "/backups", 0o700) == 0)
        #expect(doctor.fileModes().severity == .ok)
    }

    @Test(arguments: [
        (0o004, "readable by others"), (0o002, "writable by others"), (0o001, "open by others"),
        (0o040, "readable by group"), (0o044, "readable by group and others"), (0o066, "readable and writable by group and others"),
        (0o024, "writable by group, readable by others"),
    ])
    func describesWhoCanDoWhat(bits: Int, words: String) {
        #expect(Doctor.exposure(bits) == words)
    }

    @Test func quotesPathsThatTheShellWouldSplit() {
        #expect(Doctor.shellQuoted("/srv/app/data") == "/srv/app/data")
        #expect(Doctor.shellQuoted("/srv/my app/data") == "'/srv/my app/data'")
        #expect(Doctor.shellQuoted("/srv/it's/data") == #"'/srv/it'\''s/data'"#)
    }
}
