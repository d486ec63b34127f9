import Testing
@testable import CroftHTTP

/// Parses everything in `text` and returns the requests, or the error that refused them.
private func parse(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> (requests: [(HTTPRequestHead, [UInt8])], error: HTTPParseError?) {
    var parser = HTTPRequestParser(limits: limits)
    parser.append(Array(text.utf8))
    var requests: [(HTTPRequestHead, [UInt8])] = []
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    do {
        while let event = try parser.next() {
            switch event {
            case .head(let value): head = value; body = []
            case .body(let bytes): body += bytes
            case .end: requests.append((head!, body))
            }
        }
    } catch {
        return (requests, error)
    }
    return (requests, nil)
}

@Suite struct HTTPRequestParserTests {
    @Test func parsesSimpleGet() throws {
        let result = parse("GET /notes?page=2 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n")
        #expect(result.error == nil)
        let head = try #require(result.requests.first).0
        #expect(head.method == .get)
        #expect(head.target == "/notes?page=2")
        #expect(head.version == .http1_1)
        #expect(head.headers["host"] == "example.com")
        #expect(head.framing == .none)
    }

    @Test func toleratesLeadingEmptyLine() {
        #expect(parse("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").requests.count == 1)
    }

    @Test func stripsOptionalWhitespaceAroundValues() throws {
        let head = try #require(parse("GET / HTTP/1.1\r\nHost:a\r\nX-A: \t padded \t\r\n\r\n").requests.first).0
        #expect(head.headers["X-A"] == "padded")
    }

    @Test func parsesContentLengthBody() throws {
        let request = try #require(parse("POST /n HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello").requests.first)
        #expect(request.1 == Array("hello".utf8))
    }

    @Test func parsesChunkedBodyWithExtensionsAndTrailers() throws {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6 ; quoted=\"x y\"\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
        let result = parse(text)
        #expect(result.error == nil)
        #expect(try #require(result.requests.first).1 == Array("hello world".utf8))
    }

    @Test func parsesPipelinedRequestsInOrder() {
        let text = "GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.1\r\nHost: a\r\n\r\n"
        let result = parse(text)
        #expect(result.requests.map(\.0.target) == ["/a", "/b", "/c"])
    }

    @Test func parsesByteByByte() throws {
        let text = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        var parser = HTTPRequestParser()
        var body: [UInt8] = []
        var ended = false
        for byte in text.utf8 {
            parser.append([byte])
            while let event = try parser.next() {
                if case .body(let bytes) = event { body += bytes }
                if case .end = event { ended = true }
            }
        }
        #expect(ended)
        #expect(body == Array("abc".utf8))
    }

    @Test func reducesAbsoluteFormToOriginForm() throws {
        let head = try #require(parse("GET http://example.com/a/b?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n").requests.first).0
        #expect(head.target == "/a/b?q=1")
    }

    @Test func acceptsHTTP10WithoutHost() {
        #expect(parse("GET / HTTP/1.0\r\n\r\n").requests.count == 1)
    }

    @Test func recognisesExpectContinue() throws {
        let head = try #require({
            var parser = HTTPRequestParser()
            parser.append(Array("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n".utf8))
            if case .head(let head)? = try parser.next() { return head }
            return nil
        }())
        #expect(head.expectsContinue)
    }

    @Test func acceptsIdenticalDuplicateContentLength() throws {
        let result = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok")
        #expect(result.error == nil)
        #expect(result.requests.first?.1 == Array("ok".utf8))
    }

    /// Every refusal, with the status RFC 9112 implies.
    static let refusals: [(String, String, Int)] = [
        ("malformed request line", "GET /\r\nHost: a\r\n\r\n", 400),
        ("two spaces in request line", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        ("HTTP/2.0 version", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("control character in target", "GET /a\u{01}b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("non-ASCII target", "GET /é HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("target not starting with slash", "GET notes HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("bare CR in header", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400),
        ("bare LF line ending", "GET / HTTP/1.1\nHost: a\n\n", 400),
        ("NUL in header value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", 400),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n  continued\r\n\r\n", 400),
        ("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("empty header name", "GET / HTTP/1.1\r\nHost: a\r\n: value\r\n\r\n", 400),
        ("header name with slash", "GET / HTTP/1.1\r\nHost: a\r\nX/Y: z\r\n\r\n", 400),
        ("header line without colon", "GET / HTTP/1.1\r\nHost: a\r\nJunk\r\n\r\n", 400),
        ("missing Host on 1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400),
        ("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        ("TE with CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("differing CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
        ("CL list differing", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd", 400),
        ("negative CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
        ("CL with plus", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc", 400),
        ("CL overflow", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
        ("gzip transfer coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("gzip then chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400),
        ("TE on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("chunk size overflow", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n", 400),
        ("missing chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n;ext\r\n", 400),
        ("non-hex chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("chunk data too long", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", 400),
        ("chunk line bare LF", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", 400),
        ("control char in chunk ext", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;\u{01}\r\nabc\r\n0\r\n\r\n", 400),
        ("bad trailer", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer\r\n\r\n", 400),
        ("unknown Expect", "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nExpect: 200-ok\r\n\r\nx", 417),
        ("CONNECT authority form", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n", 501),
        ("asterisk form with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    ]

    @Test(arguments: refusals)
    func refuses(_ testCase: (String, String, Int)) {
        let (name, text, status) = testCase
        let result = parse(text)
        #expect(result.error?.status.code == status, "\(name): got \(String(describing: result.error))")
    }

    @Test func refusesLongRequestLineWith414BeforeItEnds() {
        let text = "GET /" + String(repeating: "a", count: 9000)
        #expect(parse(text).error?.status.code == 414)
    }

    @Test func refusesLargeHeaderSectionWith431() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "b", count: 17 * 1024)
        #expect(parse(text).error?.status.code == 431)
    }

    @Test func refusesMoreThan100FieldsWith431() {
        var text = "GET / HTTP/1.1\r\nHost: a\r\n"
        for index in 0..<100 { text += "X-\(index): v\r\n" }
        #expect(parse(text + "\r\n").error?.status.code == 431)
    }

    @Test func refusesOversizedContentLengthWith413BeforeTheBody() {
        var limits = HTTPParserLimits()
        limits.maxBodySize = 1000
        #expect(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n", limits: limits).error?.status.code == 413)
    }

    @Test func refusesOversizedChunkedBodyWith413() {
        var limits = HTTPParserLimits()
        limits.maxBodySize = 10
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"
        #expect(parse(text, limits: limits).error?.status.code == 413)
    }

    @Test func staysFailedAfterAnError() {
        var parser = HTTPRequestParser()
        parser.append(Array("BAD\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(throws: HTTPParseError.self) { try parser.next() }
    }

    @Test func neverLetsATrailingRequestThroughAfterSmugglingAttempt() {
        // The classic CL.TE attack: the refusal must come before any second request is produced.
        let text = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n"
        let result = parse(text)
        #expect(result.requests.isEmpty)
        #expect(result.error?.status.code == 400)
    }

    @Test func waitsForMoreBytesWithoutError() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("GET / HTTP/1.1\r\nHo".utf8))
        #expect(try parser.next() == nil)
        parser.append(Array("st: a\r\n\r".utf8))
        #expect(try parser.next() == nil)
        parser.append(Array("\n".utf8))
        guard case .head? = try parser.next() else {
            Issue.record("expected a head")
            return
        }
    }
}

extension HTTPParserEvent: Equatable {
    public static func == (lhs: HTTPParserEvent, rhs: HTTPParserEvent) -> Bool {
        switch (lhs, rhs) {
        case (.end, .end): true
        case (.body(let a), .body(let b)): a == b
        case (.head(let a), .head(let b)): a.target == b.target && a.method == b.method
        default: false
        }
    }
}
