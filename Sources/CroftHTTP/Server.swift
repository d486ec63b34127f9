#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCroftSystem
import Dispatch
import Logging
import Synchronization

/// A SwiftNIO-free HTTP/1.1 server on plain non-blocking sockets, polled by epoll (Linux) or Dispatch
/// sources (anywhere; kqueue on a Mac): `ServerConfiguration.poller`.
///
/// Each event loop accepts from the shared listeners and owns its connections; handlers run on Swift's
/// concurrency pool, never on a loop. `shutdown()` stops accepting, lets in-flight requests finish up to the
/// deadline and closes idle connections.
///
/// ```swift
/// let server = Server(configuration: .init(host: "127.0.0.1", port: 8000), logger: logger) { request in
///     .text("Hello, World!")
/// }
/// try await server.run()   // until SIGTERM / SIGINT
/// ```
public final class Server: Sendable {
    /// The configuration in force.
    public let configuration: ServerConfiguration
    /// Where access lines and errors go.
    public let logger: Logger
    private let handler: @Sendable (Request) async throws -> Response
    private let loops = Mutex<[EventLoop]>([])
    private let listenerFDs = Mutex<[Int32]>([])
    private let boundAddresses = Mutex<[SocketAddress]>([])
    private let draining = Atomic<Bool>(false)
    private let openConnections = Atomic<Int>(0)
    /// Open connections per client address, for `maxConnectionsPerAddress`.
    private let connectionsByAddress = Mutex<[String: Int]>([:])
    /// Request-body bytes held across all connections, for `maxBufferedBodyBytes`.
    private let bufferedBodyBytes = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let stopped = Mutex<Bool>(false)
    private let accessLogEnabled: Bool

    /// Creates a server that answers every request with `handler`.
    ///
    /// A handler that throws gets a 500 whose body names an error id, logged with the error.
    public init(
        configuration: ServerConfiguration = ServerConfiguration(), logger: Logger = Logger(label: "croft.http"),
        handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
        self.accessLogEnabled = logger.logLevel <= .info
    }

    /// The addresses actually bound (with the real port when 0 was asked for).
    public var addresses: [SocketAddress] { boundAddresses.withLock { $0 } }

    /// The port actually bound.
    public var port: Int { addresses.first?.port ?? configuration.port }

    /// Whether graceful shutdown has begun.
    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// Open client connections right now.
    public var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    /// Connections refused since start because a connection cap was reached.
    public var connectionsRefused: Int { refused.load(ordering: .relaxed) }

    /// Request-body bytes held in memory right now (see `ServerConfiguration.maxBufferedBodyBytes`).
    public var bufferedBodyByteCount: Int { bufferedBodyBytes.load(ordering: .relaxed) }

    /// Binds the listeners and starts the event loops; returns once the server accepts connections.
    public func start() throws(ServerError) {
        guard loops.withLock({ $0.isEmpty }) else { throw .alreadyStarted }
        raiseFileDescriptorLimit()
        if configuration.returnsLargeAllocationsToSystem { _ = croft_return_large_allocations_to_system(1 << 20) }
        let resolved = try SocketAddress.resolve(host: configuration.host, port: configuration.port)
        let dualFamilies = Set(resolved.map(\.family)).count > 1
        var fds: [Int32] = []
        var bound: [SocketAddress] = []
        var port = configuration.port
        do {
            for var address in resolved {
                if port != 0 { address.setPort(port) }
                let (fd, actual) = try Listener.open(
                    address: address, reusePort: configuration.reusePort, ipv6Only: dualFamilies,
                    backlog: configuration.backlog)
                fds.append(fd)
                bound.append(actual)
                port = actual.port
            }
        } catch {
            for fd in fds { close(fd) }
            throw error
        }
        listenerFDs.withLock { $0 = fds }
        boundAddresses.withLock { $0 = bound }
        var created: [EventLoop] = []
        for index in 0..<max(1, configuration.eventLoopCount) {
            let loop = try EventLoop(server: self, index: index)
            for fd in fds { loop.addListener(fd) }
            created.append(loop)
        }
        loops.withLock { $0 = created }
        for loop in created { loop.start() }
        logger.info("listening on \(bound.map { "http://\($0)" }.joined(separator: ", ")) (\(configuration.poller.rawValue) poller)")
    }

    /// Starts (if needed), then serves until SIGTERM or SIGINT, then shuts down gracefully.
    public func run() async throws {
        if loops.withLock({ $0.isEmpty }) { try start() }
        let signals = TerminationSignals()
        await signals.wait()
        logger.info("shutting down: finishing in-flight requests (up to \(configuration.shutdownTimeout))")
        await shutdown()
    }

    /// Stops accepting, closes idle connections, waits for in-flight ones up to the deadline, then stops.
    public func shutdown() async {
        guard !draining.exchange(true, ordering: .acquiringAndReleasing) else {
            while !stopped.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(10)) }
            return
        }
        let current = loops.withLock { $0 }
        // Every loop lets go of the listeners first; then closing them refuses new connections at once
        // (and frees the port for a successor) while in-flight requests finish.
        for loop in current {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                loop.execute {
                    loop.beginDraining()
                    continuation.resume()
                }
            }
        }
        // Dispatch sources let go of a descriptor asynchronously: wait until none watches a listener.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                for loop in current { loop.poller.waitUntilListenersReleased() }
                continuation.resume()
            }
        }
        for fd in listenerFDs.withLock({ fds in defer { fds = [] }; return fds }) { close(fd) }
        let deadline = ContinuousClock.now + configuration.shutdownTimeout
        while openConnections.load(ordering: .acquiring) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let remaining = openConnections.load(ordering: .acquiring)
        if remaining > 0 { logger.warning("shutdown deadline reached: closing \(remaining) connection(s)") }
        for loop in current { loop.execute { loop.closeAll() } }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                for loop in current { loop.stopAndWait() }
                continuation.resume()
            }
        }
        loops.withLock { $0 = [] }
        stopped.withLock { $0 = true }
        logger.info("server stopped")
    }

    // MARK: Called by the loops

    /// Whether a new connection may be counted, and if not, which cap stands in the way.
    enum Admission {
        case admitted, overTotal, overPerAddress
    }

    /// Counts a new connection from `address` if both caps allow it.
    func admitConnection(from address: String) -> Admission {
        if openConnections.add(1, ordering: .relaxed).newValue > configuration.maxConnections {
            openConnections.subtract(1, ordering: .relaxed)
            return .overTotal
        }
        let admitted = connectionsByAddress.withLock { counts in
            let count = counts[address, default: 0]
            guard count < configuration.maxConnectionsPerAddress else { return false }
            counts[address] = count + 1
            return true
        }
        if !admitted { openConnections.subtract(1, ordering: .relaxed) }
        return admitted ? .admitted : .overPerAddress
    }

    /// Counts a connection refused at a cap.
    func countRefusal() { refused.add(1, ordering: .relaxed) }

    /// Releases what `admitConnection(from:)` counted.
    func connectionClosed(from address: String) {
        openConnections.subtract(1, ordering: .relaxed)
        connectionsByAddress.withLock { counts in
            let count = counts[address, default: 1] - 1
            if count <= 0 { counts.removeValue(forKey: address) } else { counts[address] = count }
        }
    }

    /// Takes `count` more bytes of the body budget; false (and nothing taken) when that would exceed it.
    func reserveBodyBytes(_ count: Int) -> Bool {
        if bufferedBodyBytes.add(count, ordering: .relaxed).newValue > configuration.maxBufferedBodyBytes {
            bufferedBodyBytes.subtract(count, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Gives back body bytes taken with `reserveBodyBytes(_:)`.
    func releaseBodyBytes(_ count: Int) {
        if count > 0 { bufferedBodyBytes.subtract(count, ordering: .relaxed) }
    }

    /// Runs the handler, turning a thrown error into a logged 500 with an error id.
    func respond(to request: Request) async -> Response {
        do {
            return try await handler(request)
        } catch {
            logger.error("unhandled error: \(error)", metadata: ["request_id": "\(request.id)"])
            return .text("Internal Server Error (error id \(request.id))\n", status: .internalServerError)
        }
    }

    /// One access-log line per response: method, path, status, body bytes, duration, request id.
    func logAccess(method: HTTPMethod, target: String, status: Int, bytes: Int, nanoseconds: UInt64, requestID: String) {
        guard accessLogEnabled else { return }
        let micros = nanoseconds / 1000
        let millis = "\(micros / 1000).\(String(micros % 1000 / 10).leftPadded(to: 2))ms"
        logger.info("\(method) \(target) \(status) \(bytes)B \(millis)", metadata: ["request_id": "\(requestID)"])
    }

    private func raiseFileDescriptorLimit() {
        var limit = rlimit()
        if getrlimit(Platform.openFileLimitResource, &limit) == 0, limit.rlim_cur < Platform.openFileTarget(hardLimit: limit.rlim_max) {
            limit.rlim_cur = Platform.openFileTarget(hardLimit: limit.rlim_max)
            setrlimit(Platform.openFileLimitResource, &limit)
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
