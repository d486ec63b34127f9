/// Parses a complete request head (request line and fields) already delimited by `HTTPRequestParser`.
enum HeadParser {
    /// `tchar` from RFC 9110 §5.6.2: the characters of a token (methods, field names).
    static let tcharTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for char in "!#$%&'*+-.^_`|~".utf8 { table[Int(char)] = true }
        return table
    }()

    static func parse(
        bytes: UnsafeBufferPointer<UInt8>, start: Int, requestLineEnd: Int, headEnd: Int, limits: HTTPParserLimits
    ) throws(HTTPParseError) -> HTTPRequestHead {
        let (method, target, version) = try parseRequestLine(bytes: bytes, range: start..<requestLineEnd)
        var headers = HTTPHeaders()
        var lineStart = requestLineEnd + 2
        let fieldsEnd = headEnd - 2  // the final empty line's CRLF
        var count = 0
        while lineStart < fieldsEnd {
            var lineEnd = lineStart
            while bytes[lineEnd] != 13 { lineEnd += 1 }
            // RFC 9112 §5.2: obs-fold is refused with 400.
            if bytes[lineStart] == 32 || bytes[lineStart] == 9 {
                throw HTTPParseError(.badRequest, "obsolete line folding in header section")
            }
            count += 1
            if count > limits.maxHeaderCount {
                throw HTTPParseError(.headerFieldsTooLarge, "more than \(limits.maxHeaderCount) header fields")
            }
            let field = try parseField(bytes: bytes, range: lineStart..<lineEnd)
            headers.add(name: field.name, value: field.value)
            lineStart = lineEnd + 2
        }
        let framing = try framing(for: headers, version: version, limits: limits)
        try checkHost(headers, version: version)
        var expectsContinue = false
        if let expect = headers["Expect"] {
            guard expect.trimmingOWS().asciiCaseInsensitiveEquals("100-continue") else {
                throw HTTPParseError(.expectationFailed, "unsupported Expect value")
            }
            expectsContinue = version == .http1_1 && framing != .none && framing != .length(0)
        }
        return HTTPRequestHead(
            method: method, target: target, version: version, headers: headers, framing: framing,
            expectsContinue: expectsContinue)
    }

    /// `request-line = method SP request-target SP HTTP-version` (RFC 9112 §3).
    static func parseRequestLine(
        bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>
    ) throws(HTTPParseError) -> (HTTPMethod, String, HTTPVersion) {
        var index = range.lowerBound
        while index < range.upperBound, tcharTable[Int(bytes[index])] { index += 1 }
        guard index > range.lowerBound, index < range.upperBound, bytes[index] == 32 else {
            throw HTTPParseError(.badRequest, "malformed request line")
        }
        let method = String(decoding: UnsafeBufferPointer(rebasing: bytes[range.lowerBound..<index]), as: UTF8.self)
        index += 1
        let targetStart = index
        // request-target: visible ASCII only; whitespace and controls are invalid (RFC 9112 §3.2).
        while index < range.upperBound, bytes[index] > 32, bytes[index] < 127 { index += 1 }
        guard index > targetStart, index < range.upperBound, bytes[index] == 32 else {
            throw HTTPParseError(.badRequest, "malformed request target")
        }
        var target = String(decoding: UnsafeBufferPointer(rebasing: bytes[targetStart..<index]), as: UTF8.self)
        index += 1
        // HTTP-version = "HTTP" "/" DIGIT "." DIGIT (RFC 9112 §2.3), case-sensitive.
        guard range.upperBound - index == 8,
              bytes[index] == 72, bytes[index + 1] == 84, bytes[index + 2] == 84, bytes[index + 3] == 80,
              bytes[index + 4] == 47, bytes[index + 6] == 46,
              (48...57).contains(bytes[index + 5]), (48...57).contains(bytes[index + 7])
        else { throw HTTPParseError(.badRequest, "malformed HTTP version") }
        let major = Int(bytes[index + 5] - 48)
        let minor = Int(bytes[index + 7] - 48)
        guard major == 1 else { throw HTTPParseError(.versionNotSupported, "only HTTP/1.x is supported") }
        let version = minor == 0 ? HTTPVersion.http1_0 : .http1_1
        // Absolute-form (RFC 9112 §3.2.2) is reduced to origin-form; authority-form only goes with CONNECT.
        if target.utf8.first != UInt8(ascii: "/") {
            if target == "*" {
                guard method == "OPTIONS" else { throw HTTPParseError(.badRequest, "asterisk-form only with OPTIONS") }
            } else if let schemeEnd = target.range(of: "://"),
                      ["http", "https"].contains(target[..<schemeEnd.lowerBound].lowercased()) {
                let afterAuthority = target[schemeEnd.upperBound...]
                if let slash = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                    let rest = afterAuthority[slash...]
                    target = rest.first == "?" ? "/" + rest : String(rest)
                } else {
                    target = "/"
                }
            } else if method == "CONNECT" {
                throw HTTPParseError(.notImplemented, "CONNECT is not supported")
            } else {
                throw HTTPParseError(.badRequest, "malformed request target")
            }
        }
        return (HTTPMethod(method), target, version)
    }

    /// `field-line = field-name ":" OWS field-value OWS` (RFC 9112 §5).
    static func parseField(
        bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>
    ) throws(HTTPParseError) -> (name: String, value: String) {
        var index = range.lowerBound
        while index < range.upperBound, tcharTable[Int(bytes[index])] { index += 1 }
        guard index > range.lowerBound else { throw HTTPParseError(.badRequest, "invalid header field name") }
        guard index < range.upperBound, bytes[index] == UInt8(ascii: ":") else {
            // RFC 9112 §5.1: no whitespace is allowed between the field name and colon.
            throw HTTPParseError(.badRequest, "invalid header field name")
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[range.lowerBound..<index]), as: UTF8.self)
        index += 1
        var valueStart = index
        var valueEnd = range.upperBound
        while valueStart < valueEnd, bytes[valueStart] == 32 || bytes[valueStart] == 9 { valueStart += 1 }
        while valueEnd > valueStart, bytes[valueEnd - 1] == 32 || bytes[valueEnd - 1] == 9 { valueEnd -= 1 }
        // field-value = *field-content: VCHAR, obs-text, SP and HTAB; NUL, CR, LF and other controls are invalid.
        for position in valueStart..<valueEnd {
            let byte = bytes[position]
            if (byte < 32 && byte != 9) || byte == 127 {
                throw HTTPParseError(.badRequest, "invalid character in header field value")
            }
        }
        let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)
        return (name, value)
    }

    /// Decides the body's framing (RFC 9112 §6.1–6.3), refusing anything ambiguous.
    static func framing(
        for headers: HTTPHeaders, version: HTTPVersion, limits: HTTPParserLimits
    ) throws(HTTPParseError) -> HTTPRequestHead.BodyFraming {
        let transferEncodings = headers.values(for: "Transfer-Encoding")
        let contentLengths = headers.values(for: "Content-Length")
        if !transferEncodings.isEmpty {
            // §6.1: Transfer-Encoding with Content-Length is a smuggling vector: refuse and close.
            guard contentLengths.isEmpty else {
                throw HTTPParseError(.badRequest, "both Transfer-Encoding and Content-Length")
            }
            guard version == .http1_1 else { throw HTTPParseError(.badRequest, "Transfer-Encoding in HTTP/1.0") }
            let codings = transferEncodings.flatMap { $0.split(separator: ",") }.map { $0.trimmingOWS() }
            for coding in codings where !coding.asciiCaseInsensitiveEquals("chunked") {
                throw HTTPParseError(.notImplemented, "unsupported transfer coding")
            }
            guard codings.count == 1 else { throw HTTPParseError(.badRequest, "chunked applied more than once") }
            return .chunked
        }
        guard !contentLengths.isEmpty else { return .none }
        // §6.3: a list of identical values may be accepted as one; differing values are an error.
        var length: Int?
        for part in contentLengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let text = part.trimmingOWS()
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ (48...57).contains($0) }),
                  let value = Int(text)
            else { throw HTTPParseError(.badRequest, "invalid Content-Length") }
            if let length, length != value { throw HTTPParseError(.badRequest, "conflicting Content-Length values") }
            length = value
        }
        guard let length else { return .none }
        // The smaller of the two limits first (cheap, no header lookup), then the one for this content type.
        if length > min(limits.maxBodySize, limits.maxFormBodySize ?? limits.maxBodySize),
           case let limit = limits.bodyLimit(for: headers), length > limit {
            throw HTTPParseError(.contentTooLarge, "body of \(length) bytes exceeds \(limit)")
        }
        return .length(length)
    }

    /// RFC 9112 §3.2: a 1.1 request without Host, or with more than one, gets 400.
    static func checkHost(_ headers: HTTPHeaders, version: HTTPVersion) throws(HTTPParseError) {
        let hosts = headers.values(for: "Host")
        if hosts.count > 1 { throw HTTPParseError(.badRequest, "more than one Host header") }
        if version == .http1_1 && hosts.isEmpty { throw HTTPParseError(.badRequest, "missing Host header") }
        if let host = hosts.first {
            for byte in host.utf8 where byte <= 32 || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "@")
                || byte == UInt8(ascii: "\\") || byte >= 127 {
                throw HTTPParseError(.badRequest, "invalid Host header")
            }
        }
    }
}
