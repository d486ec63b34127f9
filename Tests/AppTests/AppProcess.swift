import CroftTesting
import Foundation

/// Runs the real `app` binary to completion and captures what it printed.
struct AppProcess {
    /// The `app` binary built next to the test bundle.
    static var binary: String { ServeCommandTests.appBinary }

    /// Runs `app ARGUMENTS` (or another `executable`, such as `/bin/sh` around it) with
    /// `BASE_DIR=baseDirectory`; returns the exit status and stdout+stderr.
    static func run(_ arguments: [String], baseDirectory: String, environment extra: [String: String] = [:],
                    executable: String = binary, timeout: Double = 60) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["BASE_DIR"] = baseDirectory
        for key in ["ENVIRONMENT", "DATABASE_PATH", "DATA_DIR", "BACKUP_DIR"] { environment.removeValue(forKey: key) }
        environment.merge(PollerUnderTest.environment) { _, new in new }
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let output = try TemporaryFile()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output.path))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            throw RawClient.ClientError.timeout
        }
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOfFile: output.path, encoding: .utf8)) ?? "")
    }
}

/// A temporary file path removed afterwards.
final class TemporaryFile: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "croft-output-" + UUID().uuidString
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A suite that runs the real `app` binary against its own temporary directory (and `data/` in it).
protocol AppCommandSuite {
    /// The base directory the commands run in; removed when the suite value goes away.
    var directory: TemporaryDirectory { get }
}

extension AppCommandSuite {
    /// `data/db.sqlite3` under ``directory``.
    var databasePath: String { directory.path + "/data/db.sqlite3" }

    /// Runs `app arguments...` in ``directory``; its exit status and combined output.
    func app(_ arguments: String..., environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        try await AppProcess.run(arguments, baseDirectory: directory.path, environment: environment)
    }
}
