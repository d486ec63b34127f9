/// The protocol state of one connection as a value: events in, actions out, no I/O.
///
/// The socket layer feeds it bytes and tells it when a response has been written; it answers with what to do
/// next. One request is handled at a time, so pipelined requests are answered in order.
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
        /// Close the connection.
        case close
    }

    enum Phase: Sendable {
        case awaitingHead
        case receivingBody(HTTPRequestHead, [UInt8])
        case awaitingResponse
        case closed
    }

    var parser: HTTPRequestParser
    var phase: Phase = .awaitingHead
    /// Bodies declared larger than this get their whole buffer up front.
    static let reserveThreshold = 64 * 1024
    /// Body bytes of the current request, received so far or handed to the handler, until its response is sent.
    public private(set) var bodyByteCount = 0
    /// The current request's `Content-Length` (nil for a chunked body or none), until its response is sent.
    public private(set) var declaredBodyLength: Int?

    /// A fresh connection with the given parser limits.
    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        parser = HTTPRequestParser(limits: limits)
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

    /// Adds received bytes and processes them.
    public mutating func received(_ bytes: UnsafeRawBufferPointer) -> Action {
        parser.append(bytes)
        return processInput()
    }

    /// Runs the parser over buffered input until it needs more bytes or has a request to dispatch.
    public mutating func processInput() -> Action {
        while true {
            switch phase {
            case .closed: return .close
            case .awaitingResponse: return .readMore
            case .awaitingHead, .receivingBody: break
            }
            let event: HTTPParserEvent?
            do {
                event = try parser.next()
            } catch {
                phase = .closed
                return .reject(error)
            }
            guard let event else { return .readMore }
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
                return .dispatch(Request(
                    method: head.method, target: head.target, version: head.version, headers: head.headers, body: body))
            }
        }
    }

    /// The response to the dispatched request has been written; continue with pipelined input or close.
    public mutating func responseSent(keepAlive: Bool) -> Action {
        bodyByteCount = 0
        declaredBodyLength = nil
        guard keepAlive else {
            phase = .closed
            return .close
        }
        phase = .awaitingHead
        return processInput()
    }

    /// The peer closed its side: nothing more will arrive.
    public mutating func peerClosed() -> Action {
        if case .awaitingResponse = phase { return .readMore }  // finish the response, then close
        phase = .closed
        return .close
    }
}
