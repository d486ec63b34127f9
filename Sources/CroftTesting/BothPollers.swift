import CroftHTTP
import Testing

/// The poller the current test runs its servers on, set by the ``BothPollers`` trait (nil outside it: the
/// configuration's default, `POLLER` or the platform's).
public enum PollerUnderTest {
    /// The backend for servers started in this task.
    @TaskLocal public static var current: PollerBackend?

    /// A server configuration on 127.0.0.1 and `port` (0: ephemeral) with the poller under test.
    public static func configuration(port: Int = 0) -> ServerConfiguration {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: port)
        if let current { configuration.poller = current }
        return configuration
    }

    /// The environment a child `app` process needs to serve with the poller under test.
    public static var environment: [String: String] {
        current.map { ["POLLER": $0.rawValue] } ?? [:]
    }

    /// The backends this platform can run: epoll and Dispatch on Linux, Dispatch elsewhere.
    public static var available: [PollerBackend] {
        PollerBackend.allCases.filter { $0 != .epoll || PollerBackend.platformDefault == .epoll }
    }
}

/// Runs every test of a suite once per available poller (`.bothPollers`), so the code a Mac serves with
/// (Dispatch sources) is the code CI tests next to Linux's epoll: one set of tests, parameterised by the
/// backend, not a copy. Servers started through `TestServer`, `PollerUnderTest.configuration` or the App
/// tests' `LiveSite` and child processes pick the backend up.
public struct BothPollers: SuiteTrait, TestTrait, TestScoping {
    /// Applies to every test of the suite it is attached to.
    public var isRecursive: Bool { true }

    /// Runs the test case once with each backend (the suite itself, once).
    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }
        for backend in PollerUnderTest.available {
            try await PollerUnderTest.$current.withValue(backend) { try await function() }
        }
    }
}

extension Trait where Self == BothPollers {
    /// Runs each test once per available poller backend.
    public static var bothPollers: Self { BothPollers() }
}
