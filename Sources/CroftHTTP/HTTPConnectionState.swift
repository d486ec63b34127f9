/// Everything that decides what one connection does, as a value: events in, actions out, no I/O, no clock of
/// its own (every event that depends on time carries `now`, in monotonic nanoseconds).
///
/// It holds the request parser and phase, the keep-alive decision, graceful draining, the peer's half-close,
/// the lingering close, the unsent-output count with its high-water mark, and every timeout (request head,
/// body stall and minimum rate, keep-alive idle, write stall, drain grace, linger). `Connection` is the byte
/// pump around it: it reads and writes the socket, runs handlers, and does what the actions say. One request
/// is handled at a time, so pipelined requests are answered in order (the model of h11: "everything that
/// affects the state machine lives in it").
public struct HTTPConnectionState: Sendable {
    /// What the socket layer should do next.
    public enum Action: Sendable {
        /// Wait for more bytes.
        case readMore
        /// Send `100 Continue`, then call `processInput()` again.
        case sendContinue
        /// Hand this complete request to the handler; input stays paused until `responseSent`.
        case dispatch(Request)
        /// Send this error response, then close (the framing is lost).
        case reject(HTTPParseError)
        /// Close the connection (now: nothing is left to send).
        case close
        /// Everything is sent and the connection ends: half-close the socket (`SHUT_WR`) and keep reading,
        /// discarding, until the peer closes or the linger deadline passes (RFC 9112 §9.6).
        case lingeringClose
        /// Output fell below the high-water mark: resume the suspended writer of a streamed body.
        case resumeStreamWriter
        /// The response is sent (or queued below the high-water mark) on a kept-alive connection: give back
        /// what the request held, then call ``nextRequest()``.
        case responseComplete
        /// Read the socket now: a request arrived during a graceful drain and is served rather than reset.
        case readNow
    }

    /// The connection's timeouts and bounds, in nanoseconds and bytes.
    public struct Timeouts: Sendable {
        /// The whole request head must arrive within this; a body may not stall longer (slowloris).
        public var requestHead: UInt64 = 10_000_000_000
        /// An idle kept-alive connection is closed after this.
        public var keepAlive: UInt64 = 60_000_000_000
        /// A client that reads none of its response for this long is dropped.
        public var write: UInt64 = 30_000_000_000
        /// The slowest a body may arrive (bytes per second, measured over `bodyRateWindow`); 0 is off.
        public var minimumBodyRate: Int = 1024
        /// The window `minimumBodyRate` is measured over (at least a second).
        public var bodyRateWindow: UInt64 = 10_000_000_000
        /// How long a connection accepted just before shutdown may take to send its first request.
        public var drainGrace: UInt64 = 1_000_000_000
        /// How long a lingering close keeps discarding input.
        public var linger: UInt64 = 2_000_000_000
        /// The most bytes a lingering close discards before it closes anyway.
        public var lingerDiscardLimit: Int = 11 << 20
        /// Unsent output above this pauses the next pipelined request and a streamed body's writer.
        public var outputHighWater: Int = 256 * 1024
        /// Pipelined input buffered beyond this while a response is pending pauses reading.
        public var maxBufferedInput: Int = 64 * 1024

        /// The defaults (those of `ServerConfiguration`).
        public init() {}
    }

    enum Phase: Sendable {
        case awaitingHead
        case receivingBody(HTTPRequestHead, [UInt8])
        case awaitingResponse
        case closed
    }

    var parser: HTTPRequestParser
    var phase: Phase = .awaitingHead
    /// The timeouts and bounds in force.
    public let timeouts: Timeouts

    // The timeline (monotonic nanoseconds; 0 means unset).
    /// The last time a byte arrived or a response was finished.
    public private(set) var lastActivity: UInt64
    /// When the current request's first byte arrived (0 between requests).
    public private(set) var requestStartedAt: UInt64 = 0
    private var lastWriteProgress: UInt64 = 0
    private var lingerDeadline: UInt64 = 0
    private var lingerDiscarded = 0
    private var bodyWindowStart: UInt64 = 0
    private var bodyWindowStartBytes = 0

    // The connection's flags.
    /// Graceful shutdown asked this connection to close after its current request.
    public private(set) var drainRequested = false
    /// Whether any byte has come in: without one, the first request is still on its way.
    public private(set) var hasReceivedBytes = false
    /// The peer shut down its sending side: nothing more will arrive.
    public private(set) var peerHalfClosed = false
    /// The connection ends once the output is flushed (a refusal, or a response without keep-alive).
    public private(set) var closeWhenFlushed = false
    /// The keep-alive decision for the request in flight: its wish and whether the peer could still send,
    /// taken at dispatch; the response narrows it (see ``responseStarted(wantsClose:serverDraining:now:)``).
    public private(set) var keepAlive = false
    private var waitingForDrain = false
    private var streamWriterWaiting = false
    /// Output bytes queued and not yet written to the socket.
    public private(set) var unsentBytes = 0
    /// Bodies declared larger than this get their whole buffer up front.
    static let reserveThreshold = 64 * 1024
    /// Body bytes of the current request, received so far or handed to the handler, until its response is sent.
    public private(set) var bodyByteCount = 0
    /// The current request's `Content-Length` (nil for a chunked body or none), until its response is sent.
    public private(set) var declaredBodyLength: Int?

    /// A fresh connection with the given parser limits and timeouts, accepted at `now`.
    public init(limits: HTTPParserLimits = HTTPParserLimits(), timeouts: Timeouts = Timeouts(), now: UInt64 = 0) {
        parser = HTTPRequestParser(limits: limits)
        self.timeouts = timeouts
        lastActivity = now
    }

    /// Whether the connection is in its lingering close (only discarding input).
    public var isLingering: Bool { lingerDeadline != 0 }

    /// Whether reading should pause: a response is pending and enough pipelined input is buffered already.
    /// A connection that ends once its output is flushed reads nothing more until then (its lingering close
    /// discards what follows).
    public var shouldPauseReading: Bool {
        guard !isLingering else { return false }
        return closeWhenFlushed || (isAwaitingResponse && bufferedByteCount >= timeouts.maxBufferedInput)
    }

    /// Since when this connection has held a socket without a request the server is working on: the start of
    /// an unfinished head, or the accept time of a connection that has sent nothing yet; nil while a request
    /// is being handled, answered or has its body arriving (the candidates for eviction at the connection cap).
    public var stalledSince: UInt64? {
        guard !isAwaitingResponse, unsentBytes == 0, !isLingering else { return nil }
        if isReceivingHead { return requestStartedAt }
        if isIdle && !hasReceivedBytes { return lastActivity }
        return nil
    }

    /// No request in progress and nothing buffered: safe to close at once on shutdown or idle timeout.
    public var isIdle: Bool {
        if case .awaitingHead = phase { return parser.isIdle }
        return false
    }

    /// A request is being received (head or body), so the header/body timeout applies.
    public var isReceivingRequest: Bool {
        switch phase {
        case .awaitingHead: !parser.isIdle
        case .receivingBody: true
        default: false
        }
    }

    /// The head has arrived and the body is still arriving.
    public var isReceivingBody: Bool {
        if case .receivingBody = phase { return true }
        return false
    }

    /// The head of a request has started arriving but is not complete.
    public var isReceivingHead: Bool {
        if case .awaitingHead = phase { return !parser.isIdle }
        return false
    }

    /// A request was dispatched and its response is not yet written.
    public var isAwaitingResponse: Bool {
        if case .awaitingResponse = phase { return true }
        return false
    }

    /// Bytes received but not yet consumed (the start of pipelined requests).
    public var bufferedByteCount: Int { parser.bufferedByteCount }

    /// Adds received bytes and processes them, without a clock (the parser's view, for harnesses; the socket
    /// layer calls ``received(_:now:)``, which also runs the lingering close and the timeline).
    public mutating func received(_ bytes: UnsafeRawBufferPointer) -> Action {
        parser.append(bytes)
        return processInput()
    }

    /// Runs the parser over buffered input until it needs more bytes or has a request to dispatch.
    public mutating func processInput() -> Action {
        while true {
            switch phase {
            case .closed: return closeAction()  // what is still queued (an error page, a last response) goes first
            case .awaitingResponse: return .readMore
            case .awaitingHead, .receivingBody: break
            }
            let event: HTTPParserEvent?
            do {
                event = try parser.next()
            } catch {
                return refuse(error)
            }
            guard let event else {
                // A peer that half-closed sends nothing more: an unfinished (or no) next request never will be.
                guard peerHalfClosed else { return .readMore }
                phase = .closed
                return closeAction()
            }
            switch event {
            case .head(let head):
                bodyByteCount = 0
                var body: [UInt8] = []
                if case .length(let length) = head.framing {
                    declaredBodyLength = length
                    // One allocation of the declared size (the parser bounded it), not a doubling series of
                    // copies; its pages are only touched as bytes arrive.
                    if length > Self.reserveThreshold { body.reserveCapacity(length) }
                } else {
                    declaredBodyLength = nil
                }
                phase = .receivingBody(head, body)
                if head.expectsContinue { return .sendContinue }
            case .body(let bytes):
                if case .receivingBody(let head, var body) = phase {
                    phase = .awaitingHead  // drop the reference so `body` is uniquely owned while appending
                    if body.isEmpty && body.capacity < bytes.count { body = bytes } else { body.append(contentsOf: bytes) }
                    bodyByteCount += bytes.count
                    phase = .receivingBody(head, body)
                }
            case .end:
                guard case .receivingBody(let head, let body) = phase else { continue }
                phase = .awaitingResponse
                let request = Request(
                    method: head.method, target: head.target, version: head.version, headers: head.headers, body: body)
                // A peer that half-closed before this request can read its answer but send no other.
                keepAlive = request.wantsKeepAlive && !peerHalfClosed
                return .dispatch(request)
            }
        }
    }

    /// The response to the dispatched request has been written; continue with pipelined input or close.
    public mutating func responseSent(keepAlive: Bool) -> Action {
        bodyByteCount = 0
        declaredBodyLength = nil
        bodyWindowStart = 0
        guard keepAlive else {
            phase = .closed
            return closeAction()
        }
        phase = .awaitingHead
        return processInput()
    }

    /// The peer closed its side: nothing more will arrive.
    public mutating func peerClosed() -> Action {
        peerHalfClosed = true
        if isLingering { return .close }
        if case .awaitingResponse = phase { return .readMore }  // finish the response, then close
        phase = .closed
        return closeAction()
    }

    // MARK: Events with a time

    /// Bytes arrived at `now`: during a lingering close they are counted and dropped, else parsed.
    public mutating func received(_ bytes: UnsafeRawBufferPointer, now: UInt64) -> Action {
        lastActivity = now
        hasReceivedBytes = true
        if isLingering {
            // Up to a whole refused body (a 413 at the head) is read and dropped, so the client, still
            // sending it, reads our answer instead of a reset; the linger deadline bounds the rest.
            lingerDiscarded += bytes.count
            return lingerDiscarded > timeouts.lingerDiscardLimit ? .close : .readMore
        }
        if isIdle { requestStartedAt = now }
        return received(bytes)
    }

    /// Refuses the request in progress with `error` (the socket layer's own refusals, such as a spent body
    /// budget): the error response is sent, then the connection closes.
    public mutating func refuse(_ error: HTTPParseError) -> Action {
        phase = .closed
        closeWhenFlushed = true
        return .reject(error)
    }

    /// The handler's response is about to be written: the keep-alive decision, made here and only here. It
    /// keeps the dispatch-time decision unless the response asks to close, this connection is draining, or
    /// the whole server is.
    public mutating func responseStarted(wantsClose: Bool, serverDraining: Bool, now: UInt64) -> Bool {
        keepAlive = keepAlive && !wantsClose && !drainRequested && !serverDraining
        lastWriteProgress = now
        return keepAlive
    }

    /// The response's framing cannot delimit a next response (a body of unknown length without chunking):
    /// the connection closes after it.
    public mutating func responseEndsConnection() {
        keepAlive = false
    }

    /// The whole response is queued. Without keep-alive the connection ends once it is flushed; with it,
    /// the next request waits until output is below the high-water mark (see ``flushed(now:)``).
    public mutating func responseQueued(now: UInt64) {
        lastActivity = now
        requestStartedAt = 0
        if keepAlive {
            waitingForDrain = true
        } else {
            // The phase stays "awaiting response" until the close: input that arrives meanwhile waits in the
            // kernel (reading pauses), then the lingering close discards it.
            closeWhenFlushed = true
        }
    }

    /// Continues after ``Action/responseComplete``: pipelined input, or waiting for the next request.
    public mutating func nextRequest(now: UInt64) -> Action {
        requestStartedAt = bufferedByteCount > 0 ? now : 0
        return responseSent(keepAlive: true)
    }

    /// `count` bytes were queued for the socket at `now` (the write timeout runs from the first unsent byte).
    public mutating func queued(_ count: Int, now: UInt64) {
        if unsentBytes == 0 { lastWriteProgress = now }
        unsentBytes += count
    }

    /// `count` queued bytes were written at `now`.
    public mutating func wrote(_ count: Int, now: UInt64) {
        unsentBytes -= count
        lastWriteProgress = now
    }

    /// A streamed body's writer is suspended until output drains below the high-water mark; true when it
    /// must wait (false: there is room, it continues at once).
    public mutating func streamWriterShouldWait() -> Bool {
        guard unsentBytes >= timeouts.outputHighWater else { return false }
        streamWriterWaiting = true
        return true
    }

    /// The socket took what it could (all of it, or it would block): what follows from the output now
    /// pending.
    public mutating func flushed(now: UInt64) -> Action {
        if unsentBytes == 0 && closeWhenFlushed { return beginLingeringClose(now: now) }
        guard unsentBytes < timeouts.outputHighWater else { return .readMore }
        if streamWriterWaiting {
            streamWriterWaiting = false
            return .resumeStreamWriter
        }
        if waitingForDrain {
            waitingForDrain = false
            return .responseComplete
        }
        return .readMore
    }

    /// Graceful shutdown: close now when idle (and nothing of a next request is in the kernel's buffer),
    /// else after the current response; a connection that has sent nothing yet gets the drain grace.
    /// `hasPendingInput` (a `MSG_PEEK` for the socket layer) is asked only when the connection is idle.
    public mutating func drain(hasPendingInput: () -> Bool) -> Action {
        drainRequested = true
        guard isIdle && unsentBytes == 0 && !isLingering else { return .readMore }
        // A request arrived that has not been read yet: serve it rather than reset it.
        if hasPendingInput() { return .readNow }
        // An idle keep-alive connection; clients retry on a fresh one (RFC 9112 §9.3.1).
        if hasReceivedBytes { return .close }
        return .readMore  // just accepted, first request not here yet: `tick` gives it the drain grace
    }

    /// The timeouts, checked at `now` (the loop calls it a few times a second).
    public mutating func tick(now: UInt64) -> Action {
        if isLingering { return now >= lingerDeadline ? .close : .readMore }
        if unsentBytes > 0 { return now - min(now, lastWriteProgress) > timeouts.write ? .close : .readMore }
        if isAwaitingResponse { return .readMore }  // a handler is running
        if isReceivingRequest {
            // Slowloris: the whole head must arrive within the head timeout; a body may not stall that long.
            let limit = timeouts.requestHead
            let tooSlow = isReceivingHead ? now - min(now, requestStartedAt) > limit : now - min(now, lastActivity) > limit
            if tooSlow { return refuse(HTTPParseError(.timeout, "request not received in time")) }
            if isReceivingBody && bodyTooSlow(now: now) {
                return refuse(HTTPParseError(.timeout, "request body arrived too slowly"))
            }
            return .readMore
        }
        let idleFor = now - min(now, lastActivity)
        if isIdle && idleFor > timeouts.keepAlive { return .close }
        if drainRequested && isIdle && idleFor > timeouts.drainGrace { return .close }
        return .readMore
    }

    // MARK: Helpers

    /// Close at once when nothing is left to send, else once it is sent.
    private mutating func closeAction() -> Action {
        guard unsentBytes > 0 else { return .close }
        closeWhenFlushed = true
        return .readMore
    }

    private mutating func beginLingeringClose(now: UInt64) -> Action {
        guard !isLingering else { return .readMore }
        if peerHalfClosed { return .close }
        lingerDeadline = now + timeouts.linger
        return .lingeringClose
    }

    /// Whether the body fell below `minimumBodyRate` over the window that just ended (a trickle of a byte
    /// every few seconds never trips the stall timeout, but holds the connection and its buffer forever).
    private mutating func bodyTooSlow(now: UInt64) -> Bool {
        guard timeouts.minimumBodyRate > 0 else { return false }
        let received = bodyByteCount
        guard bodyWindowStart != 0 else {
            bodyWindowStart = now
            bodyWindowStartBytes = received
            return false
        }
        let window = max(timeouts.bodyRateWindow, 1_000_000_000)
        guard now - bodyWindowStart >= window else { return false }
        let (needed, overflow) = timeouts.minimumBodyRate.multipliedReportingOverflow(by: Int(window / 1_000_000_000))
        if overflow || received - bodyWindowStartBytes < needed { return true }
        bodyWindowStart = now
        bodyWindowStartBytes = received
        return false
    }
}
