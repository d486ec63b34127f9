#if canImport(Glibc)
import Glibc
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
    var state: HTTPConnectionState
    var socketReadable = true
    private(set) var isClosed = false

    private var output: [UInt8] = []
    private var outputIndex = 0
    private var lastActivity: UInt64
    private var requestStartedAt: UInt64 = 0
    private var lastWriteProgress: UInt64 = 0
    private var lingerDeadline: UInt64 = 0
    private var lingerDiscarded = 0
    /// Body bytes of the current request counted against the server's `maxBufferedBodyBytes`.
    private var reservedBodyBytes = 0
    /// The current window of the minimum body rate: when it began, and the body bytes received by then.
    private var bodyWindowStart: UInt64 = 0
    private var bodyWindowStartBytes = 0
    private var closeWhenFlushed = false
    private var drainRequested = false
    /// Whether any byte has come in: a connection without one was accepted but its first request is still on its way.
    private var hasReceivedBytes = false
    private var peerHalfClosed = false
    private var current: InFlight?
    private var streamWaiter: CheckedContinuation<Void, any Error>?
    /// The next response may only be processed once output drains below this many bytes.
    private var waitingForDrain = false

    static let highWater = 256 * 1024
    static let maxBufferedInput = 64 * 1024

    struct InFlight {
        var method: HTTPMethod
        var version: HTTPVersion
        var target: String
        var id: String
        var startedAt: UInt64
        var keepAlive: Bool
        var framing: ResponseSerializer.Framing = .none
        var status = 0
        var bodyBytes = 0
        var streaming = false
    }

    init(fd: Int32, loop: EventLoop, remoteAddress: String) {
        self.fd = fd
        self.loop = loop
        self.remoteAddress = remoteAddress
        self.state = HTTPConnectionState(limits: loop.server.configuration.limits)
        self.lastActivity = loop.now
    }

    private var unsentCount: Int { output.count - outputIndex }

    // MARK: Reading

    /// Reads until the socket would block, the input budget is used, or a request is dispatched.
    func readAvailable() {
        loop.assertInLoop()
        while socketReadable && !isClosed {
            if lingerDeadline == 0 && state.isAwaitingResponse && state.bufferedByteCount >= Self.maxBufferedInput {
                return  // back-pressure: stop reading pipelined input until the current response is sent
            }
            let count = read(fd, loop.readBuffer.baseAddress, loop.readBuffer.count)
            if count > 0 {
                lastActivity = loop.now
                hasReceivedBytes = true
                if lingerDeadline != 0 {
                    lingerDiscarded += count
                    // Up to a whole refused body (a 413 at the head) is read and dropped, so the client,
                    // still sending it, reads our answer instead of a reset; the 2 s deadline bounds the rest.
                    if lingerDiscarded > loop.server.configuration.limits.maxBodySize + 1 << 20 { close() }
                    continue
                }
                if state.isIdle { requestStartedAt = loop.now }
                let action = state.received(UnsafeRawBufferPointer(start: loop.readBuffer.baseAddress, count: count))
                handle(reserveBody() ? action : .reject(HTTPParseError(
                    .serviceUnavailable, "the server is busy receiving other requests; retry in a few seconds")))
            } else if count == 0 {
                socketReadable = false
                peerHalfClosed = true
                if lingerDeadline != 0 { close(); return }
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
        bodyWindowStart = 0
    }

    private func handle(_ action: HTTPConnectionState.Action) {
        switch action {
        case .readMore:
            break
        case .sendContinue:
            // RFC 9110 §10.1.1: tell the client to send the body it is holding back.
            output.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
            flush()
            if !isClosed { handle(state.processInput()) }
        case .dispatch(var request):
            request.remoteAddress = remoteAddress
            request.id = Self.acceptableRequestID(request.headers["X-Request-Id"]) ?? loop.nextRequestID()
            let keepAlive = request.wantsKeepAlive && !drainRequested && !loop.server.isDraining && !peerHalfClosed
            current = InFlight(method: request.method, version: request.version, target: request.target, id: request.id,
                               startedAt: requestStartedAt == 0 ? loop.now : requestStartedAt, keepAlive: keepAlive)
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
            output.append(contentsOf: loop.serializer.errorResponse(error))
            closeWhenFlushed = true
            flush()
        case .close:
            if unsentCount > 0 { closeWhenFlushed = true } else { close() }
        }
    }

    /// Accepts an incoming `X-Request-Id` from a proxy when it is short and plain.
    static func acceptableRequestID(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 64,
              value.utf8.allSatisfy({ HeadParser.tcharTable[Int($0)] }) else { return nil }
        return value
    }

    // MARK: Writing

    private func send(_ response: Response) {
        loop.assertInLoop()
        guard !isClosed, var inFlight = current else { return }
        let wantsClose = response.headers.containsToken("close", in: "Connection")
        inFlight.keepAlive = inFlight.keepAlive && !wantsClose && !drainRequested && !loop.server.isDraining
        let isHead = inFlight.method == .head
        inFlight.framing = loop.serializer.writeHead(
            response, requestVersion: inFlight.version, isHead: isHead, keepAlive: inFlight.keepAlive,
            into: &output)
        if inFlight.framing == .length(-1) { inFlight.keepAlive = false }
        inFlight.status = response.status.code
        current = inFlight
        lastWriteProgress = loop.now
        switch response.body {
        case .bytes(let bytes) where inFlight.framing != .none:
            output.append(contentsOf: bytes)
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
            if inFlight.framing == .chunked {
                output.append(contentsOf: String(bytes.count, radix: 16).utf8)
                output.append(contentsOf: [13, 10])
                output.append(contentsOf: bytes)
                output.append(contentsOf: [13, 10])
            } else {
                output.append(contentsOf: bytes)
            }
            current?.bodyBytes += bytes.count
        }
        flush()
        if isClosed {
            continuation.resume(throwing: ConnectionClosedError())
        } else if unsentCount < Self.highWater {
            continuation.resume()
        } else {
            streamWaiter = continuation
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
        if inFlight.framing == .chunked { output.append(contentsOf: "0\r\n\r\n".utf8) }
        finishResponse()
    }

    private func finishResponse() {
        guard let inFlight = current else { return }
        loop.server.logAccess(
            method: inFlight.method, target: inFlight.target, status: inFlight.status, bytes: inFlight.bodyBytes,
            nanoseconds: monotonicNanoseconds() - inFlight.startedAt, requestID: inFlight.id)
        current = nil
        requestStartedAt = 0
        lastActivity = loop.now
        if !inFlight.keepAlive {
            releaseBody()  // nothing more is read but to discard it: the budget need not wait for the close
            closeWhenFlushed = true
            flush()
            return
        }
        flush()
        if isClosed { return }
        if unsentCount >= Self.highWater {
            waitingForDrain = true
        } else {
            continueAfterResponse()
        }
    }

    private func continueAfterResponse() {
        waitingForDrain = false
        releaseBody()
        requestStartedAt = state.bufferedByteCount > 0 ? loop.now : 0
        handle(state.responseSent(keepAlive: true))
        if socketReadable && !isClosed { readAvailable() }
    }

    /// Writes queued output until the socket would block.
    func flush() {
        loop.assertInLoop()
        while outputIndex < output.count && !isClosed {
            let written = output.withUnsafeBytes { bytes in
                Glibc.send(fd, bytes.baseAddress! + outputIndex, bytes.count - outputIndex, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                outputIndex += written
                lastWriteProgress = loop.now
            } else if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { break }
                close()
                return
            }
        }
        if isClosed { return }
        if outputIndex == output.count {
            if output.capacity > 64 * 1024 { output = [] } else { output.removeAll(keepingCapacity: true) }
            outputIndex = 0
            if closeWhenFlushed {
                beginLingeringClose()
                return
            }
        }
        if unsentCount < Self.highWater {
            if let waiter = streamWaiter {
                streamWaiter = nil
                waiter.resume()
            }
            if waitingForDrain { continueAfterResponse() }
        }
    }

    /// Half-closes and discards what the client still sends for a moment, so it reads our last response
    /// instead of a reset (the "lingering close" of RFC 9112 §9.6).
    private func beginLingeringClose() {
        guard lingerDeadline == 0 else { return }
        shutdown(fd, Int32(SHUT_WR))
        if peerHalfClosed { close(); return }
        lingerDeadline = loop.now + 2_000_000_000
        readAvailable()
    }

    // MARK: Lifecycle

    /// Closes now if idle; otherwise closes after the in-flight response (graceful shutdown).
    func drain() {
        loop.assertInLoop()
        drainRequested = true
        guard state.isIdle && unsentCount == 0 && current == nil else { return }
        if hasPendingInput() {
            // A request arrived that the loop has not read yet: serve it rather than reset it.
            socketReadable = true
            readAvailable()
        } else if hasReceivedBytes {
            close()  // an idle keep-alive connection; clients retry on a fresh one (RFC 9112 §9.3.1)
        }
        // Else: just accepted, first request not here yet; `checkTimeouts` gives it `drainGrace`.
    }

    /// How long a connection accepted just before shutdown may take to send its first request.
    static let drainGrace: UInt64 = 1_000_000_000

    /// Whether the kernel holds bytes this connection has not read (MSG_PEEK, never blocks).
    private func hasPendingInput() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    /// Since when this connection has held a socket without a request the server is working on: the start
    /// of an unfinished head, or the last activity of a connection that has sent nothing yet; nil while a
    /// request is being handled, answered or has its body arriving.
    var stalledSince: UInt64? {
        guard !isClosed, current == nil, unsentCount == 0, lingerDeadline == 0 else { return nil }
        if state.isReceivingHead { return requestStartedAt }
        if state.isIdle && !hasReceivedBytes { return lastActivity }
        return nil
    }

    func checkTimeouts(now: UInt64) {
        loop.assertInLoop()
        let configuration = loop.server.configuration
        if lingerDeadline != 0 {
            if now >= lingerDeadline { close() }
            return
        }
        if unsentCount > 0 {
            if now - lastWriteProgress > configuration.writeTimeout.nanoseconds { close() }
            return
        }
        if current != nil { return }  // a handler is running
        if state.isReceivingRequest {
            // Slowloris: the whole head must arrive within the head timeout; a body may not stall that long.
            let limit = configuration.requestHeadTimeout.nanoseconds
            let tooSlow = state.isReceivingHead ? now - requestStartedAt > limit : now - lastActivity > limit
            if tooSlow {
                handle(.reject(HTTPParseError(.timeout, "request not received in time")))
            } else if state.isReceivingBody && bodyTooSlow(now: now, configuration: configuration) {
                handle(.reject(HTTPParseError(.timeout, "request body arrived too slowly")))
            }
        } else if state.isIdle && now - lastActivity > configuration.keepAliveTimeout.nanoseconds {
            close()
        } else if drainRequested && state.isIdle && now - lastActivity > Self.drainGrace {
            close()
        }
    }

    /// Whether the body fell below `minimumBodyRate` over the window that just ended (a trickle of a byte
    /// every few seconds never trips the stall timeout, but holds the connection and its buffer forever).
    private func bodyTooSlow(now: UInt64, configuration: ServerConfiguration) -> Bool {
        guard configuration.minimumBodyRate > 0 else { return false }
        let received = state.bodyByteCount
        guard bodyWindowStart != 0 else {
            bodyWindowStart = now
            bodyWindowStartBytes = received
            return false
        }
        let window = max(configuration.bodyRateWindow.nanoseconds, 1_000_000_000)
        guard now - bodyWindowStart >= window else { return false }
        let (needed, overflow) = configuration.minimumBodyRate.multipliedReportingOverflow(by: Int(window / 1_000_000_000))
        if overflow || received - bodyWindowStartBytes < needed { return true }
        bodyWindowStart = now
        bodyWindowStartBytes = received
        return false
    }

    func close() {
        loop.assertInLoop()
        guard !isClosed else { return }
        isClosed = true
        releaseBody()
        Glibc.close(fd)
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
