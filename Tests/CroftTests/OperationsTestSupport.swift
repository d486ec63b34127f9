import Foundation
@testable import Croft

/// A fresh temporary directory for an operations test, removed afterwards.
final class OperationsDirectory: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/croft-ops-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A path inside the directory.
    func file(_ name: String) -> String { path + "/" + name }
}

/// The `croft-jobs-testhelper` executable, built next to the test bundle.
enum JobsTestHelper {
    static var executable: URL {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("croft-jobs-testhelper").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("croft-jobs-testhelper")
    }

    /// Starts `croft-jobs-testhelper worker DB CONCURRENCY LEASE` with stdout piped.
    static func startWorker(database: String, concurrency: Int, lease: Double) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["worker", database, String(concurrency), String(lease)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return (process, output)
    }
}

/// Jobs for in-process tests.
struct RecordRun: Job {
    static let name = "record"
    let n: Int

    func run(_ context: JobContext) async throws {
        let (id, n) = (context.jobID, self.n)
        try await context.database.write { db in
            try db.execute("INSERT INTO runs (job_id, n, pid) VALUES (?, ?, ?)", id, n, Int(getpid()))
        }
    }
}

/// Fails until its attempt reaches `succeedOnAttempt`.
struct Flaky: Job {
    static let name = "flaky"
    static let maxAttempts = 3
    let succeedOnAttempt: Int

    struct Failure: Error, CustomStringConvertible {
        let attempt: Int
        var description: String { "flaky failure on attempt \(attempt)" }
    }

    func run(_ context: JobContext) async throws {
        if context.attempt < succeedOnAttempt { throw Failure(attempt: context.attempt) }
    }
}
