/// The request line and header section of a request, validated, before its body.
public struct HTTPRequestHead: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The request target in origin form (absolute-form targets are reduced to their path and query).
    public var target: String
    /// The protocol version.
    public var version: HTTPVersion
    /// The header fields.
    public var headers: HTTPHeaders
    /// How the body is delimited (RFC 9112 §6.3).
    public var framing: BodyFraming
    /// Whether the client sent `Expect: 100-continue` and waits before sending the body.
    public var expectsContinue: Bool

    /// How a request body is delimited.
    public enum BodyFraming: Sendable, Equatable {
        /// No body.
        case none
        /// Exactly this many bytes (`Content-Length`).
        case length(Int)
        /// `Transfer-Encoding: chunked`.
        case chunked
    }
}

/// What the parser produced from the bytes it was given.
public enum HTTPParserEvent: Sendable {
    /// A complete, valid request head.
    case head(HTTPRequestHead)
    /// A piece of the body (already de-chunked).
    case body([UInt8])
    /// The end of the current request (trailer fields, if any, are dropped after validation).
    case end
}

/// Size limits the parser enforces; each excess maps to the status RFC 9112 and RFC 6585 name.
public struct HTTPParserLimits: Sendable {
    /// Longest request line accepted (414 beyond).
    public var maxRequestLineLength: Int = 8 * 1024
    /// Largest header section accepted, request line excluded (431 beyond).
    public var maxHeaderSectionSize: Int = 16 * 1024
    /// Most header fields accepted (431 beyond).
    public var maxHeaderCount: Int = 100
    /// Largest body accepted (413 beyond), checked against `Content-Length` before reading it.
    public var maxBodySize: Int = 10 * 1024 * 1024
    /// Longest chunk-size line accepted, extensions included (400 beyond).
    public var maxChunkLineLength: Int = 4 * 1024
    /// Largest `application/x-www-form-urlencoded` body accepted (413 beyond), when smaller than
    /// `maxBodySize`: a form that the application would refuse anyway is refused before its bytes are read.
    public var maxFormBodySize: Int?

    /// The body limit for a request with these headers: `maxFormBodySize` for an url-encoded form.
    func bodyLimit(for headers: HTTPHeaders) -> Int {
        guard let maxFormBodySize, maxFormBodySize < maxBodySize,
              let type = headers["Content-Type"], type.utf8.count >= 33,
              type.lowercased().hasPrefix("application/x-www-form-urlencoded") else { return maxBodySize }
        return maxFormBodySize
    }

    /// The defaults: 8 KiB request line, 16 KiB / 100 header fields, 10 MiB body.
    public init() {}
}
