#if canImport(Glibc)
import Glibc
#endif
import CCroftSystem
import Foundation
import Synchronization

/// One thread running `epoll_wait` over its listeners and connections (edge-triggered for connections).
///
/// Everything a connection does happens on its loop's thread; other threads hand work over with `execute`,
/// which queues a closure and wakes the loop through an `eventfd` (once per batch, not per closure).
///
/// `@unchecked Sendable` because it is confined: its mutable state (connections, listeners, timers) is
/// touched only on its thread, which `assertInLoop()` checks in debug builds; the cross-thread parts
/// (`pending`, `running`, `wakeRequested`) are a `Mutex` and atomics.
final class EventLoop: @unchecked Sendable {
    /// Work handed to the loop: a closure, or a Swift task job when the loop is a task's executor.
    enum Work {
        case closure(@Sendable () -> Void)
        case job(UnownedJob)
    }

    let epollFD: Int32
    let wakeFD: Int32
    /// Strong, not `unowned`: a loop thread can outlive the last outside reference to its server
    /// (a caller that drops a server without shutting it down), and must not crash reading it then.
    /// The cycle is broken by `shutdown()`, which lets go of the loops once they stop.
    let server: Server
    private let pending = Mutex<[Work]>([])
    private var loopThread: pthread_t?
    private let wakeRequested = Atomic<Bool>(false)
    private let running = Atomic<Bool>(true)
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    // Loop-thread state below.
    var connections: [Connection?] = []
    var listeners: [Int32] = []
    var serializer = ResponseSerializer()
    let readBuffer: UnsafeMutableRawBufferPointer
    var now: UInt64 = monotonicNanoseconds()
    private var nextSweep: UInt64 = 0
    private var acceptPausedUntil: UInt64 = 0
    private var nextRefusalLog: UInt64 = 0
    var requestCounter: UInt64 = 0
    let idPrefix: String

    static let readBufferSize = 64 * 1024

    init(server: Server, index: Int) throws(ServerError) {
        self.server = server
        epollFD = croft_epoll_create()
        guard epollFD >= 0 else { throw .socket(operation: "epoll_create1", address: "-", errno: errno) }
        wakeFD = croft_eventfd_create()
        guard wakeFD >= 0 else { throw .socket(operation: "eventfd", address: "-", errno: errno) }
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        idPrefix = String(UInt32.random(in: 0x1000_0000...0xFFFF_FFFF) &+ UInt32(index), radix: 16)
        croft_epoll_add(epollFD, wakeFD, CROFT_EPOLLIN)
    }

    deinit {
        readBuffer.deallocate()
        close(wakeFD)
        close(epollFD)
    }

    /// Starts the loop's thread.
    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "croft-http"
        thread.stackSize = 1 << 20
        self.thread = thread
        thread.start()
    }

    /// Runs `work` on the loop's thread soon. Safe from any thread.
    func execute(_ work: @escaping @Sendable () -> Void) {
        submit(.closure(work))
    }

    private func submit(_ work: Work) {
        pending.withLock { $0.append(work) }
        // On the loop's own thread the queue is drained before the next epoll_wait: no wake-up needed.
        if inLoop { return }
        if !wakeRequested.exchange(true, ordering: .acquiringAndReleasing) {
            croft_eventfd_signal(wakeFD)
        }
    }

    /// Whether the caller runs on this loop's thread.
    var inLoop: Bool {
        guard let loopThread else { return false }
        return pthread_equal(pthread_self(), loopThread) != 0
    }

    /// Traps in debug builds when called off this loop's thread: the loop's state, and every `Connection`'s,
    /// belongs to it alone (that is the whole case for `@unchecked Sendable`). Before the loop runs, its
    /// creator may still set it up. Free in release builds.
    @inline(__always)
    func assertInLoop(_ function: StaticString = #function) {
        #if DEBUG
        precondition(loopThread == nil || inLoop, "\(function) ran off its event loop's thread")
        #endif
    }

    /// Asks the loop to finish its current iteration and exit, then waits for it.
    func stopAndWait() {
        running.store(false, ordering: .releasing)
        croft_eventfd_signal(wakeFD)
        finished.wait()
    }

    /// Registers a listening socket (level-triggered, shared by all loops with `EPOLLEXCLUSIVE`).
    func addListener(_ fd: Int32) {
        assertInLoop()
        guard !listeners.contains(fd) else { return }
        croft_epoll_add(epollFD, fd, CROFT_EPOLLIN | CROFT_EPOLLEXCLUSIVE)
        listeners.append(fd)
    }

    /// Stops accepting on this loop (the server closes the sockets once every loop has let go).
    func removeListeners() {
        assertInLoop()
        for fd in listeners { croft_epoll_del(epollFD, fd) }
        listeners.removeAll()
    }

    private func run() {
        loopThread = pthread_self()
        let maxEvents = 256
        let readyFDs = UnsafeMutablePointer<Int32>.allocate(capacity: maxEvents)
        let readyEvents = UnsafeMutablePointer<UInt32>.allocate(capacity: maxEvents)
        defer {
            readyFDs.deallocate()
            readyEvents.deallocate()
        }
        while running.load(ordering: .acquiring) {
            let timeout: Int32 = acceptPausedUntil > 0 ? 50 : 500
            let count = croft_epoll_wait(epollFD, readyFDs, readyEvents, Int32(maxEvents), timeout)
            now = monotonicNanoseconds()
            if count > 0 {
                for index in 0..<Int(count) {
                    let fd = readyFDs[index]
                    if fd == wakeFD {
                        croft_eventfd_drain(wakeFD)
                        continue
                    }
                    if listeners.contains(fd) {
                        acceptConnections(on: fd)
                        continue
                    }
                    guard Int(fd) < connections.count, let connection = connections[Int(fd)] else { continue }
                    let flags = readyEvents[index]
                    if flags & (CROFT_EPOLLIN | CROFT_EPOLLRDHUP | CROFT_EPOLLHUP | CROFT_EPOLLERR) != 0 {
                        connection.socketReadable = true
                        connection.readAvailable()
                    }
                    if flags & CROFT_EPOLLOUT != 0, !connection.isClosed {
                        connection.flush()
                    }
                }
            }
            runPending()
            if now >= nextSweep {
                nextSweep = now + 250_000_000
                sweep()
            }
        }
        runPending()
        for case let connection? in connections { connection.close() }
    }

    private func runPending() {
        wakeRequested.store(false, ordering: .releasing)
        while true {
            let work = pending.withLock { queue -> [Work] in
                let taken = queue
                queue.removeAll(keepingCapacity: true)
                return taken
            }
            if work.isEmpty { return }
            for item in work {
                switch item {
                case .closure(let closure): closure()
                case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
                }
            }
        }
    }

    private func acceptConnections(on listener: Int32) {
        assertInLoop()
        if acceptPausedUntil > now { return }
        for _ in 0..<64 {
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    croft_accept(listener, $0, &length)
                }
            }
            if fd < 0 {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK || code == EINTR || code == ECONNABORTED { return }
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    // Out of descriptors: stop accepting briefly instead of spinning on a level-triggered listener.
                    server.logger.warning("accept failed: \(String(cString: strerror(code))); pausing accepts for 100 ms")
                    acceptPausedUntil = now + 100_000_000
                    for fd in listeners { croft_epoll_del(epollFD, fd) }
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
            croft_epoll_add(epollFD, fd, CROFT_EPOLLIN | CROFT_EPOLLOUT | CROFT_EPOLLRDHUP | CROFT_EPOLLET)
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
        _ = response.utf8CString.withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
        Glibc.close(fd)
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
            // EPOLLEXCLUSIVE cannot be modified, only added again (epoll_ctl(2)).
            let paused = listeners
            listeners.removeAll()
            for fd in paused { addListener(fd) }
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
        for case let connection? in connections { connection.close() }
    }

    /// A fresh request id: this loop's random prefix and a counter.
    func nextRequestID() -> String {
        assertInLoop()
        requestCounter &+= 1
        return idPrefix + "-" + String(requestCounter, radix: 16)
    }
}

/// An event loop can run Swift tasks itself: handlers started with it as their executor preference run on the
/// loop's thread, so a request needs no thread hop in or out (the model of NIO-based servers). Work that must
/// not delay I/O, such as SQLite calls, runs on its own threads and resumes here.
extension EventLoop: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        submit(.job(UnownedJob(job)))
    }
}
