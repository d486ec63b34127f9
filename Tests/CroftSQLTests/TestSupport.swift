import CroftSQL
import Foundation

/// A fresh temporary directory per test, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/croft-sql-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A path inside the directory.
    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// A fresh pool on `db.sqlite3` with an `items` table.
    func makePool(configuration: DatabaseConfiguration = DatabaseConfiguration()) throws -> DatabasePool {
        let pool = try DatabasePool(path: file("db.sqlite3"), configuration: configuration)
        try pool.writeSync { db in
            try db.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, tag TEXT NOT NULL, thread INTEGER NOT NULL, n INTEGER NOT NULL)")
        }
        return pool
    }
}

/// The `croft-sql-testhelper` executable, built next to the test bundle.
enum TestHelper {
    static var executable: URL {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = me.deletingLastPathComponent()
        // On Linux the test binary sits directly in the products dir; on macOS inside a bundle.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("croft-sql-testhelper").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("croft-sql-testhelper")
    }

    /// Starts the helper with `arguments`, stdout piped.
    static func start(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return (process, output)
    }

    /// Runs the helper to completion; returns exit status and stdout lines.
    static func run(_ arguments: [String]) throws -> (status: Int32, lines: [String]) {
        let (process, output) = try start(arguments)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        return (process.terminationStatus, lines)
    }
}

/// Runs blocking work (waiting on threads or child processes) on a thread of its own, so it does not
/// hold one of the two cooperative threads every async test in the run shares.
func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
