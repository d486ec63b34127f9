#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One event loop: the connections it accepted, their state, and the readiness poller that drives them
/// (``PollerBackend``: epoll on its own thread, or Dispatch sources on a serial queue).
///
/// Everything a connection does happens on its loop (the epoll thread, or the Dispatch queue); other threads
/// hand work over with `execute`. `@unchecked Sendable` because it is confined: its mutable state
/// (connections, listeners, timers) is touched only on the loop, which `assertInLoop()` checks in debug
/// builds; the cross-thread parts live in the poller (a `Mutex` and atomics, or the queue itself).
final class EventLoop: @unchecked Sendable {
    /// Work handed to the loop: a closure, or a Swift task job when the loop is a task's executor.
    enum Work {
        case closure(@Sendable () -> Void)
        case job(UnownedJob)
    }

    /// Strong, not `unowned`: a loop can outlive the last outside reference to its server (a caller that
    /// drops a server without shutting it down), and must not crash reading it then. The cycle is broken
    /// by `shutdown()`, which lets go of the loops once they stop.
    let server: Server
    /// What waits for readiness and runs the loop.
    let poller: any Poller

    // Loop state below: touched only on the loop.
    var connections: [Connection?] = []
    var listeners: [Int32] = []
    var serializer = ResponseSerializer()
    let readBuffer: UnsafeMutableRawBufferPointer
    /// The loop's clock (monotonic nanoseconds), read once per batch of events.
    var now: UInt64 = monotonicNanoseconds()
    private var nextSweep: UInt64 = 0
    private(set) var acceptPausedUntil: UInt64 = 0
    private var nextRefusalLog: UInt64 = 0
    var requestCounter: UInt64 = 0
    let idPrefix: String

    static let readBufferSize = 64 * 1024

    init(server: Server, index: Int) throws(ServerError) {
        self.server = server
        switch server.configuration.poller {
        case .epoll:
            #if os(Linux)
            poller = try EpollPoller()
            #else
            poller = DispatchPoller(index: index)
            #endif
        case .dispatch:
            poller = DispatchPoller(index: index)
        }
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        idPrefix = String(UInt32.random(in: 0x1000_0000...0xFFFF_FFFF) &+ UInt32(index), radix: 16)
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Starts the loop.
    func start() {
        poller.start(loop: self)
    }

    /// Runs `work` on the loop soon. Safe from any thread.
    func execute(_ work: @escaping @Sendable () -> Void) {
        poller.submit(.closure(work), loop: self)
    }

    /// Whether the caller runs on this loop.
    var inLoop: Bool { poller.inLoop }

    /// Traps in debug builds when called off this loop: the loop's state, and every `Connection`'s, belongs
    /// to it alone (that is the whole case for `@unchecked Sendable`). Before the loop starts, its creator
    /// may still set it up. Free in release builds.
    @inline(__always)
    func assertInLoop(_ function: StaticString = #function) {
        #if DEBUG
        precondition(!poller.isStarted || poller.inLoop, "\(function) ran off its event loop")
        #endif
    }

    /// Asks the loop to stop (closing what is still open), then waits for it.
    func stopAndWait() {
        poller.stopAndWait(loop: self)
    }

    /// Registers a listening socket, shared by all loops.
    func addListener(_ fd: Int32) {
        assertInLoop()
        guard !listeners.contains(fd) else { return }
        poller.addListener(fd, loop: self)
        listeners.append(fd)
    }

    /// Stops accepting on this loop (the server closes the sockets once every loop has let go).
    func removeListeners() {
        assertInLoop()
        poller.removeListeners(listeners)
        listeners.removeAll()
    }

    /// Refreshes the loop's clock; the poller calls it when events arrive.
    @inline(__always)
    func tickClock() {
        now = monotonicNanoseconds()
    }

    /// Runs the timeout sweep when it is due (every 250 ms).
    func sweepIfDue() {
        if now >= nextSweep { sweepNow() }
    }

    /// Runs the timeout sweep now (a poller with its own timer calls this on each tick).
    func sweepNow() {
        nextSweep = now + 250_000_000
        sweep()
    }

    /// Closes every connection (the loop is stopping).
    func closeAllConnections() {
        for case let connection? in connections { connection.close() }
    }

    func acceptConnections(on listener: Int32) {
        assertInLoop()
        if acceptPausedUntil > now { return }
        for _ in 0..<64 {
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Platform.accept(listener, $0, &length) }
            }
            if fd < 0 {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK || code == EINTR || code == ECONNABORTED { return }
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    // Out of descriptors: stop accepting briefly instead of spinning on a ready listener.
                    server.logger.warning("accept failed: \(String(cString: strerror(code))); pausing accepts for 100 ms")
                    acceptPausedUntil = now + 100_000_000
                    poller.pauseAccepting(listeners)
                }
                return
            }
            let remote = SocketAddress(storage: address, length: length).host
            var admission = server.admitConnection(from: remote)
            // At the global cap, a connection that has sat on an unfinished request head (or sent nothing) for
            // longest makes room, so held sockets cannot keep every newcomer out for as long as an attack lasts.
            if admission == .overTotal, evictStalledConnection() { admission = server.admitConnection(from: remote) }
            guard admission == .admitted else {
                server.countRefusal()
                refuse(fd, remote: remote)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let connection = Connection(fd: fd, loop: self, remoteAddress: remote)
            let slot = Int(fd)
            if slot >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: max(slot + 1 - connections.count, connections.count)))
            }
            connections[slot] = connection
            poller.register(connection)
            // Accepted while draining: the client completed its handshake before the listener closed,
            // so it is served (with `Connection: close`), not reset.
            if server.isDraining { connection.drain() }
        }
    }

    /// Closes this loop's connection that has waited longest without a request in progress (mid-head, or
    /// nothing sent yet), if one has waited over `evictionAge`; true when one was closed.
    private func evictStalledConnection() -> Bool {
        assertInLoop()
        var oldest: Connection?
        var oldestSince = now > Self.evictionAge ? now - Self.evictionAge : 0
        for case let connection? in connections {
            guard let since = connection.stalledSince, since < oldestSince else { continue }
            oldest = connection
            oldestSince = since
        }
        guard let oldest else { return false }
        oldest.close()
        return true
    }

    /// How long a connection must have stalled before a newcomer at the global cap may take its place: a
    /// client sends its head right after connecting, so half a second is many round trips.
    static let evictionAge: UInt64 = 500_000_000

    /// Answers a connection over a cap with a 503 (one non-blocking write, nothing read) and closes it, so
    /// the connections already open keep being served.
    private func refuse(_ fd: Int32, remote: String) {
        let response = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        _ = response.utf8CString.withUnsafeBufferPointer { Platform.send(fd, $0.baseAddress!, $0.count - 1) }
        Platform.closeDescriptor(fd)
        if now >= nextRefusalLog {
            nextRefusalLog = now + 10_000_000_000
            let limits = server.configuration
            server.logger.warning(
                "refusing connections: \(server.connectionCount) open (MAX_CONNECTIONS \(limits.maxConnections), \(limits.maxConnectionsPerAddress) per client; latest from \(remote)); \(server.connectionsRefused) refused so far")
        }
    }

    /// Enforces timeouts: slow headers, idle keep-alive, stalled writes, lingering closes.
    private func sweep() {
        assertInLoop()
        if acceptPausedUntil > 0 && now >= acceptPausedUntil {
            acceptPausedUntil = 0
            poller.resumeAccepting(listeners)
        }
        for case let connection? in connections { connection.checkTimeouts(now: now) }
    }

    /// On shutdown: closes idle connections and marks the rest to close after their response.
    func beginDraining() {
        assertInLoop()
        // Take the connections the kernel already queued on the listeners before letting go of them:
        // their clients finished the handshake and are sending requests. Whatever arrives between this
        // and the server's close() of the listener is reset, unless net.ipv4.tcp_migrate_req=1 moves it
        // to a sibling SO_REUSEPORT listener (ip-sysctl.rst, tcp_migrate_req).
        for fd in listeners {
            for _ in 0..<64 where !listenerDrained(fd) { acceptConnections(on: fd) }
        }
        removeListeners()
        for case let connection? in connections { connection.drain() }
    }

    /// Whether `listener` has no connection waiting in its accept queue.
    private func listenerDrained(_ listener: Int32) -> Bool {
        var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) <= 0
    }

    /// At the shutdown deadline: closes whatever is still open.
    func closeAll() {
        assertInLoop()
        closeAllConnections()
    }

    /// A fresh request id: this loop's random prefix and a counter.
    func nextRequestID() -> String {
        assertInLoop()
        requestCounter &+= 1
        return idPrefix + "-" + String(requestCounter, radix: 16)
    }
}

/// An event loop can run Swift tasks itself: handlers started with it as their executor preference run on the
/// loop, so a request needs no thread hop in or out (the model of NIO-based servers). Work that must not
/// delay I/O, such as SQLite calls, runs on its own threads and resumes here.
extension EventLoop: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        poller.submit(.job(UnownedJob(job)), loop: self)
    }
}

/// What an event loop needs from a readiness poller. Its methods run on the loop unless they say otherwise.
protocol Poller: AnyObject {
    /// Whether the loop has started (before, its creator may set it up from another thread).
    var isStarted: Bool { get }
    /// Whether the caller runs on the loop. Any thread.
    var inLoop: Bool { get }
    /// Starts running `loop`.
    func start(loop: EventLoop)
    /// Runs `work` on the loop soon. Any thread.
    func submit(_ work: EventLoop.Work, loop: EventLoop)
    /// Stops the loop after closing its connections, and waits for it. Any thread but the loop's.
    func stopAndWait(loop: EventLoop)
    /// Watches a listening socket for connections to accept.
    func addListener(_ fd: Int32, loop: EventLoop)
    /// Stops watching the listeners; ``waitUntilListenersReleased()`` returns once they may be closed.
    func removeListeners(_ fds: [Int32])
    /// Blocks until no watch on a removed listener remains. Any thread but the loop's.
    func waitUntilListenersReleased()
    /// Stops accepting for a moment (out of descriptors).
    func pauseAccepting(_ fds: [Int32])
    /// Accepts again after ``pauseAccepting(_:)``.
    func resumeAccepting(_ fds: [Int32])
    /// Starts watching an accepted connection.
    func register(_ connection: Connection)
    /// Asks to hear when the connection's socket can take more output (or no longer to).
    func setWriteInterest(_ connection: Connection, _ wanted: Bool)
    /// Asks to hear when the connection's socket has input (or no longer to: reading paused, or at EOF).
    func setReadInterest(_ connection: Connection, _ wanted: Bool)
    /// Stops watching the connection and closes its socket.
    func closeSocket(of connection: Connection)
}
