#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The socket side of one client connection. Confined to its event loop's thread: every method runs there
/// (checked by `loop.assertInLoop()` in debug builds), which is why `@unchecked Sendable` is sound; other
/// threads reach it only through `loop.execute`.
///
/// It moves bytes between the socket and an `HTTPConnectionState`, runs handlers off the loop, and keeps
/// output bounded: the next pipelined request waits while unsent output is above the high-water mark, and a
/// streamed body's writer is suspended until the socket drains.
final class Connection: @unchecked Sendable {
    let fd: Int32
    unowned let loop: EventLoop
    let remoteAddress: String
    /// Everything that decides what this connection does: phase, keep-alive, drain, timeouts.
    var state: HTTPConnectionState
    /// Readiness, as the poller reported it: true until a read would block.
    var socketReadable = true
    private(set) var isClosed = false

    private var output: [UInt8] = []
    private var outputIndex = 0
    /// Body bytes of the current request counted against the server's `maxBufferedBodyBytes`.
    private var reservedBodyBytes = 0
    private var current: InFlight?
    private var streamWaiter: CheckedContinuation<Void, any Error>?
    /// Whether the poller is asked for writability (only while output waits for room) and for input (not
    /// while reading is paused or after EOF): level-triggered pollers need both, edge-triggered ignore them.
    private var wantsWrite = false
    private var wantsRead = true
    /// The Dispatch poller's sources for this socket (nil under epoll).
    var dispatchSources: DispatchConnectionSources?

    /// What the access log and a streamed body need of the response in flight.
    struct InFlight {
        var method: HTTPMethod
        var version: HTTPVersion
        var target: String
        var id: String
        var startedAt: UInt64
        var framing: ResponseSerializer.Framing = .none
        var status = 0
        var bodyBytes = 0
        var streaming = false
    }

    init(fd: Int32, loop: EventLoop, remoteAddress: String) {
        self.fd = fd
        self.loop = loop
        self.remoteAddress = remoteAddress
        self.state = HTTPConnectionState(limits: loop.server.configuration.limits,
                                         timeouts: loop.server.configuration.connectionTimeouts, now: loop.now)
    }

    // MARK: Reading

    /// Reads until the socket would block, the input budget is used, or a request is dispatched.
    func readAvailable() {
        loop.assertInLoop()
        while socketReadable && !isClosed {
            if state.shouldPauseReading {  // back-pressure until the current response is sent
                setReadInterest(false)
                return
            }
            setReadInterest(true)
            let count = read(fd, loop.readBuffer.baseAddress, loop.readBuffer.count)
            if count > 0 {
                let action = state.received(UnsafeRawBufferPointer(start: loop.readBuffer.baseAddress, count: count), now: loop.now)
                // Input discarded by a lingering close holds no body: nothing to count.
                handle(state.isLingering ? action : budgeted(action))
            } else if count == 0 {
                socketReadable = false
                setReadInterest(false)  // EOF stays readable: a level-triggered poller would spin on it
                handle(state.peerClosed())
                return
            } else {
                let code = errno
                if code == EINTR { continue }
                socketReadable = false
                if code != EAGAIN && code != EWOULDBLOCK { close() }
                return
            }
        }
    }

    private func setReadInterest(_ wanted: Bool) {
        guard wantsRead != wanted else { return }
        wantsRead = wanted
        loop.poller.setReadInterest(self, wanted)
    }

    private func setWriteInterest(_ wanted: Bool) {
        guard wantsWrite != wanted else { return }
        wantsWrite = wanted
        loop.poller.setWriteInterest(self, wanted)
    }

    /// `action`, or a 503 when the body it holds (or announces) does not fit the server's budget: applied to
    /// every step that parses input (a read, pipelined input after a response, a body after 100 Continue).
    private func budgeted(_ action: HTTPConnectionState.Action) -> HTTPConnectionState.Action {
        reserveBody() ? action : state.refuse(HTTPParseError(
            .serviceUnavailable, "the server is busy receiving other requests; retry in a few seconds"))
    }

    /// Counts the body against the server's budget: its whole `Content-Length` as soon as the head arrives
    /// (so bodies are admitted whole or refused at once, not all starved halfway when many arrive together),
    /// a chunked body as it arrives. False when the budget is spent.
    private func reserveBody() -> Bool {
        let held = max(state.bodyByteCount, state.declaredBodyLength ?? 0)
        guard held > reservedBodyBytes else { return true }
        guard loop.server.reserveBodyBytes(held - reservedBodyBytes) else { return false }
        reservedBodyBytes = held
        return true
    }

    /// Gives the request's body bytes back to the server's budget (its response is sent, or the connection closed).
    private func releaseBody() {
        loop.server.releaseBodyBytes(reservedBodyBytes)
        reservedBodyBytes = 0
    }

    /// Does what the state machine asks.
    private func handle(_ action: HTTPConnectionState.Action) {
        switch action {
        case .readMore:
            break
        case .sendContinue:
            // RFC 9110 §10.1.1: tell the client to send the body it is holding back.
            queue(Self.continueLine)
            flush()
            if !isClosed { handle(budgeted(state.processInput())) }
        case .dispatch(var request):
            request.remoteAddress = remoteAddress
            request.id = Self.acceptableRequestID(request.headers["X-Request-Id"]) ?? loop.nextRequestID()
            current = InFlight(method: request.method, version: request.version, target: request.target, id: request.id,
                               startedAt: state.requestStartedAt == 0 ? loop.now : state.requestStartedAt)
            let server = loop.server
            let loop = self.loop
            if server.configuration.handlersRunOnEventLoop {
                Task(executorPreference: loop) {
                    let response = await server.respond(to: request)
                    if loop.inLoop { self.send(response) } else { loop.execute { self.send(response) } }
                }
            } else {
                Task {
                    let response = await server.respond(to: request)
                    loop.execute { self.send(response) }
                }
            }
        case .reject(let error):
            loop.server.logger.debug("rejected request from \(remoteAddress): \(error)")
            queue(loop.serializer.errorResponse(error))
            flush()
        case .close:
            close()
        case .lingeringClose:
            // Half-close and discard what the client still sends for a moment, so it reads our last response
            // instead of a reset (the "lingering close" of RFC 9112 §9.6).
            shutdown(fd, Int32(SHUT_WR))
            readAvailable()
        case .resumeStreamWriter:
            if let waiter = streamWaiter {
                streamWaiter = nil
                waiter.resume()
            }
        case .responseComplete:
            releaseBody()
            handle(budgeted(state.nextRequest(now: loop.now)))
            if socketReadable && !isClosed { readAvailable() }
        case .readNow:
            socketReadable = true
            readAvailable()
        }
    }

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Accepts an incoming `X-Request-Id` from a proxy when it is short and plain.
    static func acceptableRequestID(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 64,
              value.utf8.allSatisfy({ HeadParser.tcharTable[Int($0)] }) else { return nil }
        return value
    }

    // MARK: Writing

    private func queue(_ bytes: [UInt8]) {
        output.append(contentsOf: bytes)
        state.queued(bytes.count, now: loop.now)
    }

    private func send(_ response: Response) {
        loop.assertInLoop()
        guard !isClosed, var inFlight = current else { return }
        let keepAlive = state.responseStarted(wantsClose: response.headers.containsToken("close", in: "Connection"),
                                              serverDraining: loop.server.isDraining, now: loop.now)
        let before = output.count
        inFlight.framing = loop.serializer.writeHead(
            response, requestVersion: inFlight.version, isHead: inFlight.method == .head, keepAlive: keepAlive,
            into: &output)
        state.queued(output.count - before, now: loop.now)
        if inFlight.framing == .length(-1) { state.responseEndsConnection() }
        inFlight.status = response.status.code
        current = inFlight
        switch response.body {
        case .bytes(let bytes) where inFlight.framing != .none:
            queue(bytes)
            current?.bodyBytes = bytes.count
            finishResponse()
        case .stream(let stream) where inFlight.framing != .none:
            current?.streaming = true
            flush()
            let writer = ConnectionBodyWriter(connection: self)
            Task {
                do {
                    try await stream.produce(writer)
                    self.loop.execute { self.finishStream(failure: nil) }
                } catch {
                    self.loop.execute { self.finishStream(failure: error) }
                }
            }
        default:
            finishResponse()
        }
    }

    /// Called on the loop by `ConnectionBodyWriter`: frames and queues one chunk, resuming when drained.
    func writeStreamChunk(_ bytes: [UInt8], continuation: CheckedContinuation<Void, any Error>) {
        loop.assertInLoop()
        guard !isClosed, let inFlight = current, inFlight.streaming else {
            continuation.resume(throwing: ConnectionClosedError())
            return
        }
        if case .length(let length) = inFlight.framing, length >= 0, inFlight.bodyBytes + bytes.count > length {
            continuation.resume(throwing: StreamLengthError(declared: length))
            close()
            return
        }
        if !bytes.isEmpty {
            let before = output.count
            if inFlight.framing == .chunked {
                output.append(contentsOf: String(bytes.count, radix: 16).utf8)
                output.append(contentsOf: [13, 10])
                output.append(contentsOf: bytes)
                output.append(contentsOf: [13, 10])
            } else {
                output.append(contentsOf: bytes)
            }
            state.queued(output.count - before, now: loop.now)
            current?.bodyBytes += bytes.count
        }
        flush()
        if isClosed {
            continuation.resume(throwing: ConnectionClosedError())
        } else if state.streamWriterShouldWait() {
            streamWaiter = continuation
        } else {
            continuation.resume()
        }
    }

    private func finishStream(failure: (any Error)?) {
        loop.assertInLoop()
        guard !isClosed, let inFlight = current else { return }
        var failed = failure != nil
        if case .length(let length) = inFlight.framing, length >= 0, inFlight.bodyBytes != length { failed = true }
        if failed {
            // Headers are gone: the only honest signal left is to cut the connection.
            if let failure { loop.server.logger.error("response stream failed: \(failure)", metadata: ["request_id": "\(inFlight.id)"]) }
            close()
            return
        }
        if inFlight.framing == .chunked { queue(Self.lastChunk) }
        finishResponse()
    }

    private static let lastChunk = Array("0\r\n\r\n".utf8)

    private func finishResponse() {
        guard let inFlight = current else { return }
        loop.server.logAccess(
            method: inFlight.method, target: inFlight.target, status: inFlight.status, bytes: inFlight.bodyBytes,
            nanoseconds: monotonicNanoseconds() - inFlight.startedAt, requestID: inFlight.id)
        current = nil
        state.responseQueued(now: loop.now)
        // Nothing more is read but to discard it: the budget need not wait for the close.
        if state.closeWhenFlushed { releaseBody() }
        flush()
    }

    /// Writes queued output until the socket would block, then does what the state machine makes of it.
    func flush() {
        loop.assertInLoop()
        while outputIndex < output.count && !isClosed {
            let written = output.withUnsafeBytes { bytes in
                Platform.send(fd, bytes.baseAddress! + outputIndex, bytes.count - outputIndex)
            }
            if written > 0 {
                outputIndex += written
                state.wrote(written, now: loop.now)
            } else if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    setWriteInterest(true)
                    break
                }
                close()
                return
            }
        }
        if isClosed { return }
        if outputIndex == output.count {
            if output.capacity > 64 * 1024 { output = [] } else { output.removeAll(keepingCapacity: true) }
            outputIndex = 0
            setWriteInterest(false)
        }
        handle(state.flushed(now: loop.now))
    }

    // MARK: Lifecycle

    /// Closes now if idle; otherwise closes after the in-flight response (graceful shutdown).
    func drain() {
        loop.assertInLoop()
        guard !isClosed else { return }
        handle(state.drain(hasPendingInput: hasPendingInput))
    }

    /// Whether the kernel holds bytes this connection has not read (MSG_PEEK, never blocks).
    private func hasPendingInput() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    /// Since when this connection has stalled without a request in progress (see the state's `stalledSince`).
    var stalledSince: UInt64? {
        isClosed ? nil : state.stalledSince  // nil while a request is in flight: the state knows
    }

    func checkTimeouts(now: UInt64) {
        loop.assertInLoop()
        guard !isClosed else { return }
        handle(state.tick(now: now))
    }

    func close() {
        loop.assertInLoop()
        guard !isClosed else { return }
        isClosed = true
        releaseBody()
        loop.poller.closeSocket(of: self)
        if Int(fd) < loop.connections.count, loop.connections[Int(fd)] === self { loop.connections[Int(fd)] = nil }
        if let waiter = streamWaiter {
            streamWaiter = nil
            waiter.resume(throwing: ConnectionClosedError())
        }
        output = []
        loop.server.connectionClosed(from: remoteAddress)
    }
}

/// Thrown to a streaming body's producer when the client has gone.
struct ConnectionClosedError: Error, CustomStringConvertible {
    var description: String { "the client closed the connection" }
}

/// Thrown when a streamed body writes more than its declared length.
struct StreamLengthError: Error, CustomStringConvertible {
    let declared: Int
    var description: String { "streamed body exceeds its declared length of \(declared) bytes" }
}

/// The `BodyWriter` handed to streaming responses: each write hops to the loop and waits for room.
struct ConnectionBodyWriter: BodyWriter {
    let connection: Connection

    func write(_ bytes: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            connection.loop.execute { connection.writeStreamChunk(bytes, continuation: continuation) }
        }
    }
}
