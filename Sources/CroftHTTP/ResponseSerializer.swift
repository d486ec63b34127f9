/// Writes a response head (status line and fields) into bytes, adding the framing fields the server owns.
struct ResponseSerializer {
    /// The cached `Date` value, refreshed once a second by the event loop.
    var dateLine: [UInt8] = []
    private var dateSecond = -1

    /// Refreshes the cached `Date` field if the second changed.
    mutating func refreshDate() {
        let now = HTTPDate.nowEpochSeconds()
        if now != dateSecond {
            dateSecond = now
            dateLine = Array("Date: \(HTTPDate.format(epochSeconds: now))\r\n".utf8)
        }
    }

    /// How the body of a serialized response is framed.
    enum Framing: Equatable {
        case none
        case length(Int)
        case chunked
    }

    /// Appends the head to `out` and returns how the body must be framed.
    ///
    /// `Content-Length`, `Transfer-Encoding` and `Connection` set by handlers are replaced, since the server
    /// decides framing and persistence. Header values with CR or LF are dropped (no response splitting).
    mutating func writeHead(
        _ response: Response, requestVersion: HTTPVersion, isHead: Bool, keepAlive: Bool, into out: inout [UInt8]
    ) -> Framing {
        refreshDate()
        let status = response.status
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status.code, to: &out)
        out.append(32)
        out.append(contentsOf: status.reasonPhrase.utf8)
        out.append(contentsOf: [13, 10])
        for field in response.headers.fields {
            if field.name.asciiCaseInsensitiveEquals("Content-Length")
                || field.name.asciiCaseInsensitiveEquals("Transfer-Encoding")
                || field.name.asciiCaseInsensitiveEquals("Connection") { continue }
            if field.value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) { continue }
            if field.name.utf8.contains(where: { !HeadParser.tcharTable[Int($0)] }) { continue }
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: [58, 32])
            out.append(contentsOf: field.value.utf8)
            out.append(contentsOf: [13, 10])
        }
        out.append(contentsOf: dateLine)
        var framing = Framing.none
        if !status.forbidsBody {
            if let length = response.body.knownLength {
                out.append(contentsOf: "Content-Length: ".utf8)
                appendDecimal(length, to: &out)
                out.append(contentsOf: [13, 10])
                framing = isHead ? .none : .length(length)
            } else if requestVersion == .http1_1 {
                out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
                framing = isHead ? .none : .chunked
            } else {
                // HTTP/1.0 has no chunked coding: the body ends when the connection closes.
                framing = isHead ? .none : .length(-1)
            }
        }
        if !keepAlive || framing == .length(-1) {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if requestVersion == .http1_0 {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        out.append(contentsOf: [13, 10])
        return framing
    }

    @inline(__always)
    func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(48 + value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var remaining = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while remaining > 0 {
                buffer[count] = UInt8(48 + remaining % 10)
                remaining /= 10
                count += 1
            }
            while count > 0 {
                count -= 1
                out.append(buffer[count])
            }
        }
    }

    /// The bytes of a plain-text error response that closes the connection.
    mutating func errorResponse(_ error: HTTPParseError) -> [UInt8] {
        var out: [UInt8] = []
        let body = error.reason + "\n"
        var response = Response(
            status: error.status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .bytes(Array(body.utf8)))
        if error.kind == .serviceUnavailable { response.headers["Retry-After"] = "5" }
        _ = writeHead(response, requestVersion: .http1_1, isHead: false, keepAlive: false, into: &out)
        out.append(contentsOf: body.utf8)
        return out
    }
}
