import CroftTesting
import Foundation
import Synchronization
import Testing

/// Runs the real `app` executable as a child process, as a user would with `swift run app serve`.
@Suite(.bothPollers) struct ServeCommandTests {
    /// The `app` binary built next to the test bundle.
    static var appBinary: String {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [directory, directory.deletingLastPathComponent()].map { $0.appendingPathComponent("app").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    /// A started `app serve` with its stderr captured, and the port it announced.
    final class RunningApp: Sendable {
        let process = Process()
        let stderr = Pipe()
        private let captured = Mutex("")

        init(baseDirectory: String, arguments: [String] = ["serve", "--port", "0"], environment extra: [String: String] = [:]) throws {
            process.executableURL = URL(fileURLWithPath: ServeCommandTests.appBinary)
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            environment["BASE_DIR"] = baseDirectory
            environment.removeValue(forKey: "PORT")
            environment.merge(PollerUnderTest.environment) { _, new in new }
            environment.merge(extra) { _, new in new }
            process.environment = environment
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            stderr.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self, !data.isEmpty else { return }
                self.captured.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
            try process.run()
        }

        var output: String { captured.withLock { $0 } }

        /// A failing test must not leave a server running: stop it when the test lets go of it.
        deinit {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }

        /// Waits for the "listening on http://127.0.0.1:PORT" line.
        func port() async throws -> Int {
            for _ in 0..<200 {
                if let range = output.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    return Int(output[range].split(separator: ":").last!)!
                }
                if !process.isRunning { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw RawClient.ClientError.malformed("app did not start: \(output)")
        }

        func waitForExit(seconds: Double = 15) async throws -> Int32 {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning {
                process.terminate()
                throw RawClient.ClientError.timeout
            }
            return process.terminationStatus
        }
    }

    @Test func serveCreatesDataServesTheHomePageLogsAndExitsCleanlyOnSIGTERM() async throws {
        let directory = try TemporaryDirectory()
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for folder in ["Public", "Templates"] {
            try FileManager.default.createSymbolicLink(atPath: directory.path + "/" + folder, withDestinationPath: repository.path + "/" + folder)
        }
        let app = try RunningApp(baseDirectory: directory.path)
        let port = try await app.port()
        #expect(FileManager.default.fileExists(atPath: directory.path + "/data"))

        let client = try RawClient(port: port)
        let home = try await client.request("GET", "/")
        #expect(home.status == 200)
        #expect(home.text.contains("Your Croft site is running."))
        #expect(home.text.contains("/static/css/app.css?v="))  // {% static %} adds the content hash
        let missing = try await client.request("GET", "/no-such-page")
        #expect(missing.status == 404)
        #expect(missing.text.contains("There is no page at this address."))
        let css = try await client.request("GET", "/static/css/app.css")
        #expect(css.status == 200)
        let health = try await client.request("GET", "/health")
        #expect(health.status == 200)
        #expect(health.text.contains("\"database\":\"ok\""))
        #expect(FileManager.default.fileExists(atPath: directory.path + "/data/db.sqlite3"))

        // One access line per request: method, path, status, bytes, duration, request id.
        try await Task.sleep(for: .milliseconds(100))
        #expect(app.output.range(of: #"request_id=\S+ .*GET / 200 \d+B \d+\.\d+ms"#, options: .regularExpression) != nil)

        kill(app.process.processIdentifier, SIGTERM)
        #expect(try await app.waitForExit() == 0)
        #expect(app.output.contains("server stopped"))
    }

    @Test func serveRefusesABadPortWithAMessageAndNonZeroExit() async throws {
        let directory = try TemporaryDirectory()
        let app = try RunningApp(baseDirectory: directory.path, arguments: ["serve", "--port", "70000"])
        let status = try await app.waitForExit()
        #expect(status != 0)
        #expect(app.output.contains("--port must be between 0 and 65535"))
    }

    @Test func serveRefusesSettingsThatDoNotParseOrThatSQLiteWouldIgnore() async throws {
        for (key, value, message) in [
            ("SQLITE_SYNCHRONOUS", "FUL", #"synchronous "FUL" is not one of OFF, NORMAL, FULL, EXTRA"#),
            ("SQLITE_CACHE_SIZE", "2k", #"SQLITE_CACHE_SIZE="2k" is not a whole number"#),
        ] {
            let directory = try TemporaryDirectory()
            let app = try RunningApp(baseDirectory: directory.path, environment: [key: value])
            #expect(try await app.waitForExit() != 0)
            #expect(app.output.contains(message), "\(app.output)")
            #expect(!app.output.contains("listening"))
        }
    }

    @Test func serveExplainsAPortAlreadyInUse() async throws {
        let directory = try TemporaryDirectory()
        let first = try RunningApp(baseDirectory: directory.path)
        let port = try await first.port()
        let second = try RunningApp(baseDirectory: directory.path, arguments: ["serve", "--port", "\(port)"])
        #expect(try await second.waitForExit() != 0)
        #expect(second.output.contains("Address already in use"))
        kill(first.process.processIdentifier, SIGTERM)
        #expect(try await first.waitForExit() == 0)
    }
}
