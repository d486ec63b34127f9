#if os(Linux)
import CCroftSystem
import Foundation
import Glibc
import Synchronization

/// The Linux fast path: one thread per loop in `epoll_wait`, edge-triggered for connections (every socket
/// is registered once for input and output and read or written until it would block), level-triggered and
/// `EPOLLEXCLUSIVE` for the listeners all loops share. Other threads hand work over through a queue and an
/// `eventfd` (one wake-up per batch, not per closure).
final class EpollPoller: Poller, Sendable {
    let epollFD: Int32
    let wakeFD: Int32
    private let pending = Mutex<[EventLoop.Work]>([])
    private let wakeRequested = Atomic<Bool>(false)
    private let running = Atomic<Bool>(true)
    /// The loop thread's `pthread_t` (0 until it runs): atomic, since any thread asks `inLoop`.
    private let loopThread = Atomic<UInt>(0)
    private let finished = DispatchSemaphore(value: 0)

    init() throws(ServerError) {
        epollFD = croft_epoll_create()
        guard epollFD >= 0 else { throw .socket(operation: "epoll_create1", address: "-", errno: errno) }
        wakeFD = croft_eventfd_create()
        guard wakeFD >= 0 else {
            let code = errno
            close(epollFD)
            throw .socket(operation: "eventfd", address: "-", errno: code)
        }
        croft_epoll_add(epollFD, wakeFD, CROFT_EPOLLIN)
    }

    deinit {
        close(wakeFD)
        close(epollFD)
    }

    var isStarted: Bool { loopThread.load(ordering: .acquiring) != 0 }

    var inLoop: Bool {
        let thread = loopThread.load(ordering: .acquiring)
        return thread != 0 && pthread_equal(pthread_self(), pthread_t(thread)) != 0
    }

    func start(loop: EventLoop) {
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            loopThread.store(UInt(pthread_self()), ordering: .releasing)
            started.signal()
            run(loop)
            finished.signal()
        }
        thread.name = "croft-http"
        thread.stackSize = 1 << 20
        thread.start()
        started.wait()  // from here on, only the loop's thread touches the loop
    }

    func submit(_ work: EventLoop.Work, loop: EventLoop) {
        pending.withLock { $0.append(work) }
        // On the loop's own thread the queue is drained before the next epoll_wait: no wake-up needed.
        if inLoop { return }
        if !wakeRequested.exchange(true, ordering: .acquiringAndReleasing) {
            croft_eventfd_signal(wakeFD)
        }
    }

    func stopAndWait(loop: EventLoop) {
        running.store(false, ordering: .releasing)
        croft_eventfd_signal(wakeFD)
        finished.wait()
    }

    func addListener(_ fd: Int32, loop: EventLoop) {
        croft_epoll_add(epollFD, fd, CROFT_EPOLLIN | CROFT_EPOLLEXCLUSIVE)
    }

    func removeListeners(_ fds: [Int32]) {
        for fd in fds { croft_epoll_del(epollFD, fd) }
    }

    /// `epoll_ctl(DEL)` has returned: nothing watches them any more.
    func waitUntilListenersReleased() {}

    func pauseAccepting(_ fds: [Int32]) {
        for fd in fds { croft_epoll_del(epollFD, fd) }
    }

    func resumeAccepting(_ fds: [Int32]) {
        // EPOLLEXCLUSIVE cannot be modified, only added again (epoll_ctl(2)).
        for fd in fds { croft_epoll_add(epollFD, fd, CROFT_EPOLLIN | CROFT_EPOLLEXCLUSIVE) }
    }

    func register(_ connection: Connection) {
        croft_epoll_add(epollFD, connection.fd, CROFT_EPOLLIN | CROFT_EPOLLOUT | CROFT_EPOLLRDHUP | CROFT_EPOLLET)
    }

    /// Edge-triggered for both from the start: nothing to change.
    func setWriteInterest(_ connection: Connection, _ wanted: Bool) {}

    /// Edge-triggered: a paused connection is read again explicitly when it resumes.
    func setReadInterest(_ connection: Connection, _ wanted: Bool) {}

    /// Closing the descriptor removes it from the epoll set.
    func closeSocket(of connection: Connection) {
        Platform.closeDescriptor(connection.fd)
    }

    private func run(_ loop: EventLoop) {
        let maxEvents = 256
        let readyFDs = UnsafeMutablePointer<Int32>.allocate(capacity: maxEvents)
        let readyEvents = UnsafeMutablePointer<UInt32>.allocate(capacity: maxEvents)
        defer {
            readyFDs.deallocate()
            readyEvents.deallocate()
        }
        while running.load(ordering: .acquiring) {
            let timeout: Int32 = loop.acceptPausedUntil > 0 ? 50 : 500
            let count = croft_epoll_wait(epollFD, readyFDs, readyEvents, Int32(maxEvents), timeout)
            loop.tickClock()
            if count > 0 {
                for index in 0..<Int(count) {
                    let fd = readyFDs[index]
                    if fd == wakeFD {
                        croft_eventfd_drain(wakeFD)
                        continue
                    }
                    if loop.listeners.contains(fd) {
                        loop.acceptConnections(on: fd)
                        continue
                    }
                    guard Int(fd) < loop.connections.count, let connection = loop.connections[Int(fd)] else { continue }
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
            runPending(loop)
            loop.sweepIfDue()
        }
        runPending(loop)
        loop.closeAllConnections()
    }

    private func runPending(_ loop: EventLoop) {
        wakeRequested.store(false, ordering: .releasing)
        while true {
            let work = pending.withLock { queue -> [EventLoop.Work] in
                let taken = queue
                queue.removeAll(keepingCapacity: true)
                return taken
            }
            if work.isEmpty { return }
            for item in work {
                switch item {
                case .closure(let closure): closure()
                case .job(let job): job.runSynchronously(on: loop.asUnownedTaskExecutor())
                }
            }
        }
    }
}
#endif
