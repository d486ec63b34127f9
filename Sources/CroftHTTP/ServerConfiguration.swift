/// How a `Server` listens and the limits it enforces on clients.
public struct ServerConfiguration: Sendable {
    /// The address to bind: `127.0.0.1`, `0.0.0.0`, `::` (dual-stack), `localhost` (both loopbacks), or a name.
    public var host: String = "127.0.0.1"
    /// The port; 0 picks a free ephemeral port (see `Server.port`).
    public var port: Int = 8000
    /// Sets `SO_REUSEPORT`, so a new process can bind while an old one drains during a redeploy.
    public var reusePort: Bool = false
    /// The `listen(2)` backlog.
    public var backlog: Int32 = 1024
    /// The readiness poller: epoll where the platform has it, else Dispatch sources; `POLLER` in the
    /// environment overrides the default (``PollerBackend/default``).
    public var poller: PollerBackend = .default
    /// Event loops; defaults to the number of active cores.
    public var eventLoopCount: Int = ProcessInfoShim.activeProcessorCount
    /// Run handlers as tasks whose executor is the event loop that owns their connection (no thread hop), or,
    /// by default, on Swift's global concurrent pool, so handler work never delays socket I/O. Measured here
    /// the default was also the faster one (docs/benchmarks.md); the option stays for experiments.
    public var handlersRunOnEventLoop: Bool = false
    /// Request size limits (request line, header section, body).
    public var limits = HTTPParserLimits()
    /// How long a client may take to send a request head, and may stall in a body (slowloris defence).
    public var requestHeadTimeout: Duration = .seconds(10)
    /// How long an idle keep-alive connection is kept open.
    public var keepAliveTimeout: Duration = .seconds(60)
    /// How long a client may stop reading its response before the connection is dropped.
    public var writeTimeout: Duration = .seconds(30)
    /// How long graceful shutdown waits for in-flight requests.
    public var shutdownTimeout: Duration = .seconds(10)
    /// The most client connections open at once; past it a new connection gets a 503 and is closed, while
    /// the open ones keep being served. An idle connection costs about 2 KB, one mid-head at most ~25 KB.
    public var maxConnections: Int = 4096
    /// The most connections open at once from one client address (a proxy in front counts as one client).
    public var maxConnectionsPerAddress: Int = 512
    /// The slowest a request body may arrive, in bytes per second, measured over each `bodyRateWindow`
    /// (nginx's `client_body_timeout`, Kestrel's `MinRequestBodyDataRate`): a client that trickles a body
    /// is answered 408 instead of holding its connection and buffer. 0 turns the check off.
    public var minimumBodyRate: Int = 1024
    /// The window over which `minimumBodyRate` is measured.
    public var bodyRateWindow: Duration = .seconds(10)
    /// The most bytes of request bodies held in memory across all connections (received, or in a handler's
    /// hands); a body that would go past it is answered 503 with `Retry-After`. Bounds memory under many
    /// concurrent large uploads.
    public var maxBufferedBodyBytes: Int = 64 * 1024 * 1024

    /// Fixes glibc's mmap threshold at 1 MiB when the server starts, so large request bodies are returned to
    /// the system when freed instead of staying resident (glibc otherwise raises the threshold to 32 MiB after
    /// the first large free, and RSS stayed at its peak after an upload flood). Process-wide.
    public var returnsLargeAllocationsToSystem = true

    /// The defaults: 127.0.0.1:8000, 10 s head timeout, 60 s keep-alive, 10 MiB bodies.
    public init() {}

    /// The timeouts and bounds each connection's state machine enforces.
    public var connectionTimeouts: HTTPConnectionState.Timeouts {
        var timeouts = HTTPConnectionState.Timeouts()
        timeouts.requestHead = requestHeadTimeout.nanoseconds
        timeouts.keepAlive = keepAliveTimeout.nanoseconds
        timeouts.write = writeTimeout.nanoseconds
        timeouts.minimumBodyRate = minimumBodyRate
        timeouts.bodyRateWindow = bodyRateWindow.nanoseconds
        // Up to a whole refused body (a 413 at the head) is discarded while lingering, and a megabyte more.
        let (limit, overflow) = limits.maxBodySize.addingReportingOverflow(1 << 20)
        timeouts.lingerDiscardLimit = overflow ? Int.max : limit
        return timeouts
    }

    /// The defaults with a host and port.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}

extension Duration {
    /// The duration in whole nanoseconds (negative durations count as zero).
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}


#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCroftSystem
import CroftCore
