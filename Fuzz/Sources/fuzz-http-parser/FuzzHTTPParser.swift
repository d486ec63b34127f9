// fuzz-http-parser: the request parser and the connection state machine, on the bytes a client sends.
//
// Input layout: 5 control bytes, then the bytes of the connection.
//   control[0]  bit 0: answer each request only after the next chunk arrived (pipelined input while waiting);
//               bit 1: the server closes after the first response (no keep-alive);
//               bits 2-7: k (0...63), which sets the tiny line and header limits below.
//   control[1...3]  chunk sizes, cycled: ((c & 0x1F) + 1) << (c >> 5), so 1 to 4096 bytes per read.
//   control[4]  the tiny body limits: bits 0-5 the body limit (0...63), bits 6-7 the form limit (none, half the
//               body limit, 3 more than it, equal to it).
//
// Each payload is parsed four ways: all at once by `HTTPRequestParser`, and in chunks by `HTTPConnectionState`
// driven the way `Connection.swift` drives it, each with the application's limits and with tiny ones. Besides
// "never traps", the two ways must agree: a request the whole-input parse accepts, the chunked one accepts
// identically, and the other way round.
import Croft
import FuzzSupport

/// A request as its handler would see it, for comparing two parses.
struct SeenRequest: Equatable {
    var method: String
    var target: String
    var version: HTTPVersion
    var headers: [String]
    var body: [UInt8]

    init(method: HTTPMethod, target: String, version: HTTPVersion, headers: HTTPHeaders, body: [UInt8]) {
        self.method = method.rawValue
        self.target = target
        self.version = version
        self.headers = headers.fields.map { "\($0.name): \($0.value)" }
        self.body = body
    }
}

/// Tiny limits so each limit's refusal (414, 431, 413, long chunk line) is reached by short inputs, at every
/// boundary: they come from the control bytes.
func tinyLimits(_ control: [UInt8]) -> HTTPParserLimits {
    let k = Int(control[0] >> 2)
    let body = Int(control[4] & 0x3F)
    var limits = HTTPParserLimits()
    limits.maxRequestLineLength = 14 + k
    limits.maxHeaderSectionSize = 8 + 2 * k
    limits.maxHeaderCount = 1 + k % 8
    limits.maxChunkLineLength = 1 + k % 16
    limits.maxBodySize = body
    // A form limit above the body limit must not raise it.
    limits.maxFormBodySize = [nil, body / 2, body + 3, body][Int(control[4] >> 6)]
    return limits
}

/// The limits `Application` serves with: the defaults, and forms bounded by `DATA_UPLOAD_MAX_MEMORY_SIZE`.
func applicationLimits() -> HTTPParserLimits {
    var limits = HTTPParserLimits()
    limits.maxFormBodySize = FormLimits().maxBytes
    return limits
}

/// The most body bytes a request with these headers may have: the body limit, or the form limit when it is
/// smaller and the body is an url-encoded form.
func bodyBound(_ headers: HTTPHeaders, _ limits: HTTPParserLimits) -> Int {
    let isForm = headers["Content-Type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
    guard isForm, let form = limits.maxFormBodySize else { return limits.maxBodySize }
    return min(form, limits.maxBodySize)
}

// MARK: - All at once

/// Everything `HTTPRequestParser` makes of `payload` given in one piece: the complete requests, then the
/// refusal if there was one (nil: the rest, if any, is an incomplete request waiting for bytes).
func parseWhole(_ payload: [UInt8], limits: HTTPParserLimits) -> (requests: [SeenRequest], error: HTTPParseError?) {
    var parser = HTTPRequestParser(limits: limits)
    parser.append(payload)
    var requests: [SeenRequest] = []
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    // Each event consumes bytes or ends a request, so more events than this is a loop.
    var budget = 3 * payload.count + 8
    do {
        while let event = try parser.next() {
            budget -= 1
            invariant(budget > 0, "the parser keeps producing events without consuming input")
            switch event {
            case .head(let value):
                invariant(head == nil, "a head inside a request that has not ended")
                invariant(!parser.isBetweenRequests, "between requests right after a head")
                if case .length(let length) = value.framing {
                    invariant(length >= 0 && length <= bodyBound(value.headers, limits),
                              "Content-Length \(length) passed the limit of \(bodyBound(value.headers, limits)) "
                              + "(body \(limits.maxBodySize), form \(limits.maxFormBodySize.map { "\($0)" } ?? "none"))")
                }
                head = value
                body = []
            case .body(let bytes):
                invariant(head != nil, "body bytes outside a request")
                invariant(!bytes.isEmpty, "an empty body event")
                body += bytes
                if let head {
                    invariant(body.count <= bodyBound(head.headers, limits),
                              "a \(body.count)-byte body passed the limit of \(bodyBound(head.headers, limits))")
                }
            case .end:
                guard let value = head else {
                    invariant(false, "end of a request that never started")
                    return (requests, nil)
                }
                switch value.framing {
                case .none: invariant(body.isEmpty, "a body on a request framed without one")
                case .length(let length): invariant(body.count == length, "\(body.count) body bytes for Content-Length \(length)")
                case .chunked: break
                }
                invariant(parser.isBetweenRequests, "not between requests after the end of one")
                requests.append(SeenRequest(
                    method: value.method, target: value.target, version: value.version, headers: value.headers, body: body))
                head = nil
            }
        }
    } catch {
        // Errors are final: the framing is lost, and asking again gives the same refusal.
        do {
            _ = try parser.next()
            invariant(false, "the parser went on after refusing with \(error)")
        } catch let again {
            invariant(again == error, "a second refusal \(again) after \(error)")
        }
        invariant((400...599).contains(error.status.code), "refusal with status \(error.status.code)")
        return (requests, error)
    }
    invariant(parser.bufferedByteCount >= 0 && parser.bufferedByteCount <= payload.count,
              "\(parser.bufferedByteCount) bytes buffered out of \(payload.count)")
    return (requests, nil)
}

// MARK: - In chunks, as a connection

/// How the chunked run ended.
enum ConnectionEnd: Equatable {
    /// Every byte was read and the peer closed; nothing stopped it earlier.
    case endOfInput
    /// Refused with this error (the connection would send its status, then close).
    case rejected(HTTPParseError)
    /// The harness's server chose to close after a response (no keep-alive): the rest was never parsed.
    case closedAfterResponse
}

/// Drives `HTTPConnectionState` over `payload` cut into reads, the way `Connection.swift` does: bytes in with
/// `received`, `100 Continue` then `processInput()`, `responseSent(keepAlive:)` once a response is written,
/// `peerClosed()` at the end of input.
func runConnection(_ payload: [UInt8], limits: HTTPParserLimits, control: [UInt8]) -> (requests: [SeenRequest], end: ConnectionEnd) {
    let answerLate = control[0] & 1 != 0
    let closeAfterFirst = control[0] & 2 != 0
    var state = HTTPConnectionState(limits: limits)
    invariant(state.isIdle && !state.isReceivingRequest && !state.isAwaitingResponse, "a new connection is not idle")
    var requests: [SeenRequest] = []
    /// The dispatched request whose response is not yet written, with the keep-alive decision taken at dispatch.
    var inFlight: (request: Request, keepAlive: Bool)?
    var peerClosed = false
    var budget = 4 * payload.count + 16

    /// Follows one action to where the connection waits for input again; returns how it ended, if it did.
    func follow(_ first: HTTPConnectionState.Action) -> ConnectionEnd? {
        var action = first
        while true {
            budget -= 1
            invariant(budget > 0, "the connection state keeps acting without consuming input")
            switch action {
            case .readMore:
                return nil
            case .sendContinue:
                invariant(!state.isAwaitingResponse, "100 Continue while awaiting a response")
                action = state.processInput()
            case .dispatch(let request):
                invariant(inFlight == nil, "a second request dispatched before the first was answered")
                invariant(state.isAwaitingResponse && !state.isIdle, "not awaiting a response after a dispatch")
                requests.append(SeenRequest(
                    method: request.method, target: request.target, version: request.version,
                    headers: request.headers, body: request.body))
                // Connection.swift: keep-alive is the request's wish, unless the peer half-closed or the server closes.
                let keepAlive = request.wantsKeepAlive && !peerClosed && !(closeAfterFirst && requests.count == 1)
                inFlight = (request, keepAlive)
                // While waiting for the response, more input only buffers.
                guard case .readMore = state.processInput() else {
                    invariant(false, "input processed while awaiting a response")
                    return nil
                }
                if answerLate && !peerClosed { return nil }
                guard let end = answer() else { return nil }
                return end
            case .reject(let error):
                invariant(inFlight == nil, "refused while a response was pending")
                guard case .close = state.processInput() else {
                    invariant(false, "a refused connection did not close")
                    return .rejected(error)
                }
                return .rejected(error)
            case .close:
                // Only a refusal, a close after a response or the peer's close end a connection: after the
                // peer's close, a next request that is not complete never will be.
                invariant(peerClosed, "the connection closed by itself")
                return .endOfInput
            case .lingeringClose, .resumeStreamWriter, .responseComplete, .readNow:
                // Output and drain events: the harness queues no output and never drains.
                invariant(false, "\(action) without output or a drain")
                return .endOfInput
            }
        }
    }

    /// Writes the pending response; continues with pipelined input when the connection stays open.
    func answer() -> ConnectionEnd? {
        guard let pending = inFlight else { return nil }
        inFlight = nil
        // Connection.swift does not call responseSent when it closes: it flushes and closes the socket.
        guard pending.keepAlive else { return .closedAfterResponse }
        return follow(state.responseSent(keepAlive: true))
    }

    var offset = 0
    var read = 0
    while offset < payload.count {
        let c = Int(control[1 + read % 3])
        read += 1
        let end = min(payload.count, offset + ((c & 0x1F) + 1) << (c >> 5))
        let answerNow = inFlight != nil  // dispatched during an earlier read: answered once this one is in
        let action = payload[offset..<end].withUnsafeBytes { state.received($0) }
        offset = end
        if let end = follow(action) { return (requests, end) }
        if answerNow, let end = answer() { return (requests, end) }
        invariant(state.bufferedByteCount >= 0 && state.bufferedByteCount <= offset,
                  "\(state.bufferedByteCount) bytes buffered after \(offset) read")
    }
    // The peer closed its side. A pending response is still written, with the keep-alive decided at dispatch
    // (as Connection.swift does); requests dispatched from here on are answered and closed.
    peerClosed = true
    let closing = state.peerClosed()
    if inFlight != nil {
        guard case .readMore = closing else {
            invariant(false, "peer close while a response is pending did not wait for it")
            return (requests, .endOfInput)
        }
        // Answered; what is buffered after it is not a complete request, and the peer has closed: it ends.
        return (requests, answer() ?? .endOfInput)
    }
    guard case .close = closing else {
        invariant(false, "peer close with nothing pending did not close")
        return (requests, .endOfInput)
    }
    return (requests, .endOfInput)
}

// MARK: - Both ways, compared

func compare(_ payload: [UInt8], limits: HTTPParserLimits, control: [UInt8], label: String) {
    let whole = parseWhole(payload, limits: limits)
    let chunked = runConnection(payload, limits: limits, control: control)
    let common = min(whole.requests.count, chunked.requests.count)
    for index in 0..<common {
        invariant(whole.requests[index] == chunked.requests[index],
                  "[\(label)] request \(index) differs: whole \(whole.requests[index]) chunked \(chunked.requests[index])")
    }
    invariant(chunked.requests.count <= whole.requests.count,
              "[\(label)] in chunks \(chunked.requests.count) requests were accepted, all at once only \(whole.requests.count)"
              + " (then \(whole.error.map { "\($0)" } ?? "waiting for bytes"))")
    switch chunked.end {
    case .closedAfterResponse:
        break
    case .endOfInput:
        invariant(whole.error == nil,
                  "[\(label)] all at once refused (\(whole.error.map { "\($0)" } ?? "")) what in chunks was accepted")
        invariant(whole.requests.count == chunked.requests.count,
                  "[\(label)] \(whole.requests.count) requests all at once, \(chunked.requests.count) in chunks")
    case .rejected(let error):
        // Which refusal may differ (a long line can be refused for its length before its bad byte arrives),
        // but not which request is refused.
        invariant(whole.error != nil && whole.requests.count == chunked.requests.count,
                  "[\(label)] in chunks request \(chunked.requests.count) was refused (\(error)); all at once "
                  + "\(whole.requests.count) requests then \(whole.error.map { "\($0)" } ?? "no refusal")")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size, controlCount: 5)
    compare(input.payload, limits: applicationLimits(), control: input.control, label: "default limits")
    compare(input.payload, limits: tinyLimits(input.control), control: input.control, label: "tiny limits")
    return 0
}

/// `main`, as SwiftPM links it (see `libFuzzerMain`).
@_cdecl("fuzz_http_parser_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    libFuzzerMain(argc, argv, fuzz)
}
