/// An incremental, sans-IO HTTP/1.1 request parser: bytes in, events out (RFC 9112).
///
/// Feed it whatever arrived with `append(_:)`, then call `next()` until it returns nil (it needs more bytes).
/// It never does I/O and never blocks, so every rule is tested without sockets. Errors are final: after one,
/// the connection's framing is lost and it must be closed once the error response is sent.
///
/// ```swift
/// var parser = HTTPRequestParser()
/// parser.append(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
/// while let event = try parser.next() { ... }
/// ```
public struct HTTPRequestParser: Sendable {
    enum State: Sendable {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case endOfMessage
        case failed(HTTPParseError)
    }

    /// The limits in force.
    public let limits: HTTPParserLimits
    var buffer: [UInt8] = []
    var readIndex = 0
    /// Where the scan for the end of the head resumes, so slow clients do not cost quadratic time.
    var scanIndex = 0
    var state: State = .head
    var bodyReceived = 0
    /// The body limit of the current request (`HTTPParserLimits.bodyLimit(for:)`), for chunked bodies.
    var bodyLimit = 0
    var trailerBytes = 0

    /// Creates a parser with the given limits.
    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// The number of received bytes not yet consumed.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Whether the parser sits between requests with nothing buffered (the connection is idle).
    public var isIdle: Bool {
        if case .head = state { return bufferedByteCount == 0 }
        return false
    }

    /// Whether the parser is between requests (possibly with the start of the next one buffered).
    public var isBetweenRequests: Bool {
        if case .head = state { return true }
        return false
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    private mutating func compact() {
        if readIndex == buffer.count {
            if buffer.capacity > 16 * 1024 { buffer = [] } else { buffer.removeAll(keepingCapacity: true) }
            scanIndex -= readIndex
            readIndex = 0
        } else if readIndex > 4096 && readIndex * 2 > buffer.count {
            buffer.removeFirst(readIndex)
            scanIndex -= readIndex
            readIndex = 0
        }
    }

    /// The next event, or nil when more bytes are needed. Throws the refusal once the input is invalid.
    public mutating func next() throws(HTTPParseError) -> HTTPParserEvent? {
        do throws(HTTPParseError) {
            switch state {
            case .failed(let error):
                throw error
            case .head:
                return try parseHead()
            case .fixedBody(let remaining):
                let available = buffer.count - readIndex
                guard available > 0 else { return nil }
                let take = min(available, remaining)
                let chunk = Array(buffer[readIndex..<readIndex + take])
                readIndex += take
                state = remaining == take ? .endOfMessage : .fixedBody(remaining: remaining - take)
                return .body(chunk)
            case .endOfMessage:
                state = .head
                releaseIfEmpty()
                return .end
            case .chunkSize:
                return try parseChunkSize()
            case .chunkData(let remaining):
                let available = buffer.count - readIndex
                guard available > 0 else { return nil }
                let take = min(available, remaining)
                let chunk = Array(buffer[readIndex..<readIndex + take])
                readIndex += take
                state = remaining == take ? .chunkDataEnd : .chunkData(remaining: remaining - take)
                return .body(chunk)
            case .chunkDataEnd:
                // RFC 9112 §7.1: chunk-data is followed by exactly CRLF.
                guard buffer.count - readIndex >= 2 else {
                    if buffer.count > readIndex && buffer[readIndex] != 13 { throw bad("chunk data not followed by CRLF") }
                    return nil
                }
                guard buffer[readIndex] == 13, buffer[readIndex + 1] == 10 else {
                    throw bad("chunk data not followed by CRLF")
                }
                readIndex += 2
                state = .chunkSize
                return try next()
            case .trailers:
                return try parseTrailers()
            }
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func releaseIfEmpty() {
        if readIndex == buffer.count && buffer.capacity > 16 * 1024 {
            buffer = []
            readIndex = 0
            scanIndex = 0
        }
    }

    func bad(_ reason: String) -> HTTPParseError { HTTPParseError(.badRequest, reason) }

    // MARK: - Head

    /// Finds the end of the head (CRLF CRLF), enforcing line-ending rules and size limits while scanning.
    private mutating func parseHead() throws(HTTPParseError) -> HTTPParserEvent? {
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF) received before the request-line.
        while buffer.count - readIndex >= 2, buffer[readIndex] == 13, buffer[readIndex + 1] == 10 {
            readIndex += 2
        }
        if scanIndex < readIndex { scanIndex = readIndex }
        let start = readIndex
        let end = buffer.count
        var requestLineEnd = -1  // index of the CR ending the request line, once seen
        var headEnd = -1  // index just past the final CRLF CRLF
        var found = false
        try buffer.withUnsafeBufferPointer { (bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) in
            var index = max(scanIndex, start)
            // Re-find the request line end cheaply if we resumed past it.
            if index > start, let cr = bytes[start..<index].firstIndex(of: 13) { requestLineEnd = cr }
            while index < end {
                let byte = bytes[index]
                if byte == 10 {
                    // RFC 9112 §2.2: a bare LF is not accepted as a line terminator here (strict, no smuggling).
                    guard index > start, bytes[index - 1] == 13 else { throw bad("bare LF in request head") }
                    if requestLineEnd < 0 { requestLineEnd = index - 1 }
                    if index - start >= 3, bytes[index - 2] == 10, bytes[index - 3] == 13 {
                        headEnd = index + 1
                        found = true
                        return
                    }
                } else if byte == 13 {
                    // RFC 9112 §2.2: a bare CR MUST be treated as invalid.
                    if index + 1 < end, bytes[index + 1] != 10 { throw bad("bare CR in request head") }
                } else if byte == 0 {
                    throw bad("NUL byte in request head")
                }
                index += 1
            }
            scanIndex = end > 0 && bytes[end - 1] == 13 ? end - 1 : end
        }
        if !found {
            // Enforce limits on what has arrived so far, without waiting for the end. A read that ends between
            // a line's CR and its LF must not count the CR: the line may be exactly at the limit (found by
            // fuzzing: accepted whole, refused when split there).
            let pendingCR = end > start && buffer[end - 1] == 13 ? 1 : 0
            if requestLineEnd < 0 {
                if end - start - pendingCR > limits.maxRequestLineLength {
                    throw HTTPParseError(.uriTooLong, "request line too long")
                }
            } else {
                if requestLineEnd - start > limits.maxRequestLineLength {
                    throw HTTPParseError(.uriTooLong, "request line too long")
                }
                if end - requestLineEnd > limits.maxHeaderSectionSize + 4 {
                    throw HTTPParseError(.headerFieldsTooLarge, "header section too large")
                }
            }
            return nil
        }
        if requestLineEnd - start > limits.maxRequestLineLength { throw HTTPParseError(.uriTooLong, "request line too long") }
        if headEnd - requestLineEnd > limits.maxHeaderSectionSize + 4 {
            throw HTTPParseError(.headerFieldsTooLarge, "header section too large")
        }
        let head = try buffer.withUnsafeBufferPointer { (bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) in
            try HeadParser.parse(bytes: bytes, start: start, requestLineEnd: requestLineEnd, headEnd: headEnd, limits: limits)
        }
        readIndex = headEnd
        scanIndex = headEnd
        bodyReceived = 0
        if case .chunked = head.framing { bodyLimit = limits.bodyLimit(for: head.headers) }
        switch head.framing {
        case .none: state = .endOfMessage
        case .length(let length): state = length == 0 ? .endOfMessage : .fixedBody(remaining: length)
        case .chunked: state = .chunkSize
        }
        return .head(head)
    }

    // MARK: - Chunked body

    /// Parses `chunk-size [ chunk-ext ] CRLF` (RFC 9112 §7.1, §7.1.1).
    private mutating func parseChunkSize() throws(HTTPParseError) -> HTTPParserEvent? {
        guard let lf = buffer[readIndex...].firstIndex(of: 10) else {
            // As for the request line: a CR that ends the read is the line's end, not part of it.
            let pendingCR = buffer.last == 13 ? 1 : 0
            if buffer.count - readIndex - pendingCR > limits.maxChunkLineLength { throw bad("chunk size line too long") }
            if let cr = buffer[readIndex...].firstIndex(of: 13), cr + 1 < buffer.count { throw bad("bare CR in chunk size line") }
            return nil
        }
        guard lf > readIndex, buffer[lf - 1] == 13 else { throw bad("chunk size line not ended by CRLF") }
        let line = buffer[readIndex..<(lf - 1)]
        if line.count > limits.maxChunkLineLength { throw bad("chunk size line too long") }
        var size = 0
        var digits = 0
        var index = line.startIndex
        while index < line.endIndex, let value = FormDecoding.hexValue(line[index]) {
            // 15 hex digits already exceed any body we accept; stop before Int overflows.
            if digits >= 15 { throw bad("chunk size overflow") }
            size = size << 4 | Int(value)
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw bad("missing chunk size") }
        // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): validated loosely, control bytes refused.
        if index < line.endIndex {
            let rest = line[index...].drop { $0 == 32 || $0 == 9 }
            guard rest.first == UInt8(ascii: ";") else { throw bad("invalid chunk size") }
            for byte in rest where byte < 32 && byte != 9 || byte == 127 {
                throw bad("control character in chunk extension")
            }
        }
        readIndex = lf + 1
        bodyReceived += size
        if bodyReceived > bodyLimit { throw HTTPParseError(.contentTooLarge, "body exceeds \(bodyLimit) bytes") }
        if size == 0 {
            state = .trailers
            trailerBytes = 0
            return try parseTrailers()
        }
        state = .chunkData(remaining: size)
        return try next()
    }

    /// Reads the trailer section up to its empty line; fields are validated and dropped (RFC 9112 §7.1.2).
    private mutating func parseTrailers() throws(HTTPParseError) -> HTTPParserEvent? {
        while true {
            guard let lf = buffer[readIndex...].firstIndex(of: 10) else {
                if trailerBytes + buffer.count - readIndex > limits.maxHeaderSectionSize {
                    throw HTTPParseError(.headerFieldsTooLarge, "trailer section too large")
                }
                return nil
            }
            guard lf > readIndex, buffer[lf - 1] == 13 else { throw bad("trailer line not ended by CRLF") }
            let lineLength = lf - 1 - readIndex
            trailerBytes += lineLength + 2
            if trailerBytes > limits.maxHeaderSectionSize { throw HTTPParseError(.headerFieldsTooLarge, "trailer section too large") }
            if lineLength == 0 {
                readIndex = lf + 1
                state = .head
                releaseIfEmpty()
                return .end
            }
            let line = buffer[readIndex..<(lf - 1)]
            _ = try buffer.withUnsafeBufferPointer { (bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) in
                try HeadParser.parseField(bytes: bytes, range: line.startIndex..<line.endIndex)
            }
            readIndex = lf + 1
        }
    }
}
