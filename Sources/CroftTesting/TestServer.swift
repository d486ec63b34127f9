import CroftHTTP
import Foundation
import Logging

/// Starts a real `Server` on an ephemeral loopback port for a test, and stops it afterwards.
///
/// ```swift
/// try await TestServer.with({ _ in .text("hi") }) { port in
///     let client = try RawClient(port: port)
///     ...
/// }
/// ```
public enum TestServer {
    /// Runs `body` with the port of a fresh server answering with `handler`; always shuts the server down.
    public static func with<T>(
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ handler: @escaping @Sendable (Request) async throws -> Response,
        _ body: (Server) async throws -> T
    ) async throws -> T {
        var configuration = PollerUnderTest.configuration()
        configuration.eventLoopCount = 2
        configure(&configuration)
        var logger = Logger(label: "croft.test")
        logger.logLevel = .critical
        let server = Server(configuration: configuration, logger: logger, handler: handler)
        try server.start()
        do {
            let result = try await body(server)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }
}

/// A temporary directory removed when the test is done with it.
public final class TemporaryDirectory: Sendable {
    /// The directory's path.
    public let path: String

    /// Creates a fresh directory under the system temp dir.
    public init() throws {
        path = NSTemporaryDirectory() + "croft-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
