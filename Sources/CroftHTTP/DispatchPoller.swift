import Dispatch
import Synchronization

/// The portable poller: each loop is a serial Dispatch queue; listeners and connections are watched with
/// `DispatchSource.makeReadSource` / `makeWriteSource` over the same non-blocking sockets, and a timer
/// source runs the timeout sweep. libdispatch runs the sources on epoll on Linux and on kqueue on a Mac,
/// so this is what a Mac serves with, and what CI tests next to epoll (`POLLER=dispatch`).
///
/// Dispatch sources are level-triggered: a connection whose reading is paused (back-pressure, or the
/// peer's EOF) has its read source suspended, and the write source exists and runs only while output waits
/// for room. A socket is closed in the cancellation handler of its last source, as libdispatch requires.
final class DispatchPoller: Poller {
    /// The loop's queue: every handler, task job and `execute` closure of this loop runs on it.
    let queue: DispatchQueue
    private static let loopKey = DispatchSpecificKey<Int>()
    private static let nextIdentity = Atomic<Int>(1)
    private let identity: Int
    private let started = Atomic<Bool>(false)
    // Loop state: touched only on `queue` (or before `start`).
    private var listenerSources: [any DispatchSourceRead] = []
    private var timer: (any DispatchSourceTimer)?
    private var acceptPaused = false
    /// Entered per listener source, left by its cancellation handler.
    private let listenersReleased = DispatchGroup()
    /// Entered per connection, left when its last source's cancellation handler has closed the socket.
    private let socketsClosed = DispatchGroup()

    init(index: Int) {
        identity = Self.nextIdentity.add(1, ordering: .relaxed).newValue
        queue = DispatchQueue(label: "croft-http-\(index)")
        queue.setSpecific(key: Self.loopKey, value: identity)
    }

    var isStarted: Bool { started.load(ordering: .acquiring) }

    var inLoop: Bool { DispatchQueue.getSpecific(key: Self.loopKey) == identity }

    func start(loop: EventLoop) {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250), leeway: .milliseconds(20))
        timer.setEventHandler {
            loop.tickClock()
            loop.sweepNow()  // the timer is the schedule: no second 250 ms gate that would make it 500 ms
        }
        self.timer = timer
        started.store(true, ordering: .releasing)
        for source in listenerSources { source.activate() }
        timer.activate()
    }

    func submit(_ work: EventLoop.Work, loop: EventLoop) {
        switch work {
        case .closure(let closure):
            // Each hand-over refreshes the loop's clock, as every epoll wake-up does: a response sent from
            // a handler is stamped with the time it is sent, not the last event's.
            queue.async {
                loop.tickClock()
                closure()
            }
        case .job(let job):
            let executor = loop.asUnownedTaskExecutor()
            queue.async {
                loop.tickClock()
                job.runSynchronously(on: executor)
            }
        }
    }

    func stopAndWait(loop: EventLoop) {
        queue.sync {
            timer?.cancel()
            timer = nil
            cancelListenerSources()
            loop.closeAllConnections()
        }
        listenersReleased.wait()
        socketsClosed.wait()  // every connection's cancellation handler has closed its socket
    }

    func addListener(_ fd: Int32, loop: EventLoop) {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler {
            loop.tickClock()
            loop.acceptConnections(on: fd)
        }
        listenersReleased.enter()
        source.setCancelHandler { [listenersReleased] in listenersReleased.leave() }
        listenerSources.append(source)
        if isStarted { source.activate() }
    }

    func removeListeners(_ fds: [Int32]) {
        cancelListenerSources()
    }

    private func cancelListenerSources() {
        for source in listenerSources {
            if acceptPaused { source.resume() }  // a suspended source must be resumed before it is cancelled
            source.cancel()
        }
        acceptPaused = false
        listenerSources.removeAll()
    }

    func waitUntilListenersReleased() {
        listenersReleased.wait()
    }

    func pauseAccepting(_ fds: [Int32]) {
        guard !acceptPaused else { return }
        acceptPaused = true
        for source in listenerSources { source.suspend() }
    }

    func resumeAccepting(_ fds: [Int32]) {
        guard acceptPaused else { return }
        acceptPaused = false
        for source in listenerSources { source.resume() }
    }

    func register(_ connection: Connection) {
        let fd = connection.fd
        let sources = DispatchConnectionSources(fd: fd, queue: queue, closed: socketsClosed,
                                                read: DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue))
        let loop = connection.loop
        sources.read.setEventHandler {
            guard !connection.isClosed else { return }
            loop.tickClock()
            connection.socketReadable = true
            connection.readAvailable()
        }
        sources.read.setCancelHandler { sources.sourceCancelled() }
        connection.dispatchSources = sources
        sources.read.activate()
    }

    func setWriteInterest(_ connection: Connection, _ wanted: Bool) {
        guard let sources = connection.dispatchSources else { return }
        if wanted {
            if let write = sources.write {
                if sources.writeSuspended {
                    sources.writeSuspended = false
                    write.resume()
                }
            } else {
                let write = DispatchSource.makeWriteSource(fileDescriptor: connection.fd, queue: queue)
                let loop = connection.loop
                write.setEventHandler {
                    guard !connection.isClosed else { return }
                    loop.tickClock()
                    connection.flush()
                }
                sources.live += 1
                write.setCancelHandler { sources.sourceCancelled() }
                sources.write = write
                write.activate()
            }
        } else if let write = sources.write, !sources.writeSuspended {
            sources.writeSuspended = true
            write.suspend()
        }
    }

    func setReadInterest(_ connection: Connection, _ wanted: Bool) {
        guard let sources = connection.dispatchSources, sources.readSuspended == wanted else { return }
        sources.readSuspended = !wanted
        if wanted { sources.read.resume() } else { sources.read.suspend() }
    }

    func closeSocket(of connection: Connection) {
        guard let sources = connection.dispatchSources else {
            Platform.closeDescriptor(connection.fd)
            return
        }
        connection.dispatchSources = nil
        // A suspended source must be resumed before it is cancelled and released.
        if sources.readSuspended { sources.read.resume() }
        sources.read.cancel()
        if let write = sources.write {
            if sources.writeSuspended { write.resume() }
            write.cancel()
        }
    }
}

/// A connection's Dispatch sources; the socket is closed once the last of them is cancelled (closing it
/// earlier is undefined for a watched descriptor). `@unchecked Sendable` because it is confined: touched
/// only on its loop's queue (handlers, cancellation handlers and the loop's own calls all run there).
final class DispatchConnectionSources: @unchecked Sendable {
    let fd: Int32
    /// The loop's queue, the only place these fields are touched.
    let queue: DispatchQueue
    let read: any DispatchSourceRead
    var readSuspended = false
    var write: (any DispatchSourceWrite)?
    var writeSuspended = false
    /// Sources not yet cancelled.
    var live = 1

    /// Left once the socket is closed (entered here).
    private let closed: DispatchGroup

    init(fd: Int32, queue: DispatchQueue, closed: DispatchGroup, read: any DispatchSourceRead) {
        self.fd = fd
        self.queue = queue
        self.closed = closed
        self.read = read
        closed.enter()
    }

    func sourceCancelled() {
        #if DEBUG
        dispatchPrecondition(condition: .onQueue(queue))
        #endif
        live -= 1
        if live == 0 {
            Platform.closeDescriptor(fd)
            closed.leave()
        }
    }
}
