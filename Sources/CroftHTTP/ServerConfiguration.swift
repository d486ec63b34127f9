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
    /// Event-loop threads; defaults to the number of active cores.
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

    /// The defaults: 127.0.0.1:8000, 10 s head timeout, 60 s keep-alive, 10 MiB bodies.
    public init() {}

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

/// Core count without importing Foundation's ProcessInfo everywhere.
public enum ProcessInfoShim {
    /// The number of cores the process may run on (honours `taskset`), at least 1.
    public static var activeProcessorCount: Int {
        let count = Int(croft_available_cpus())
        if count > 0 { return count }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

#if canImport(Glibc)
import Glibc
#endif
import CCroftSystem
