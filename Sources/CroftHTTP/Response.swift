import Foundation

/// An HTTP response: status, headers and a body that is bytes in memory or a stream.
///
/// The server adds `Date`, `Content-Length` or `Transfer-Encoding: chunked`, and `Connection` itself.
public struct Response: Sendable {
    /// The status line's code and reason.
    public var status: HTTPStatus
    /// Header fields to send (framing headers are set by the server).
    public var headers: HTTPHeaders
    /// The body.
    public var body: ResponseBody

    /// Creates a response.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: ResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .bytes(Array(text.utf8)))
    }

    /// A `text/html; charset=utf-8` response.
    public static func html(_ html: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: .bytes(Array(html.utf8)))
    }

    /// An `application/json` response encoding `value`.
    public static func json(_ value: some Encodable, status: HTTPStatus = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return Response(status: status, headers: ["Content-Type": "application/json"], body: .bytes(Array(data)))
    }

    /// A redirect (303 See Other by default, right after a form POST).
    public static func redirect(to location: String, status: HTTPStatus = .seeOther) -> Response {
        Response(status: status, headers: ["Location": location], body: .empty)
    }
}

/// The body of a response.
public enum ResponseBody: Sendable {
    /// No body.
    case empty
    /// Bytes already in memory.
    case bytes([UInt8])
    /// A body produced piece by piece with back-pressure; never held whole in memory.
    case stream(ResponseStream)

    /// The length when known in advance.
    public var knownLength: Int? {
        switch self {
        case .empty: 0
        case .bytes(let bytes): bytes.count
        case .stream(let stream): stream.length
        }
    }
}

/// A streamed body: a producer that writes chunks to a `BodyWriter`, which waits while the client is slow.
public struct ResponseStream: Sendable {
    /// The total length if known (sent as `Content-Length`), or nil to use chunked encoding.
    public var length: Int?
    /// Writes the body; returning ends it, throwing aborts the connection.
    public var produce: @Sendable (any BodyWriter) async throws -> Void

    /// Creates a stream.
    public init(length: Int?, produce: @escaping @Sendable (any BodyWriter) async throws -> Void) {
        self.length = length
        self.produce = produce
    }
}

/// Where a streamed body is written. `write` suspends while the socket's send buffer is full.
public protocol BodyWriter: Sendable {
    /// Sends one chunk; throws if the connection has closed.
    func write(_ bytes: [UInt8]) async throws
}
