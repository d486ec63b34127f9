/// A request the parser refused, with the status it implies and why.
///
/// Each case maps to the response RFC 9112 prescribes; the connection is closed after it is sent
/// because the framing of anything that follows can no longer be trusted.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of fault this is.
    public enum Kind: Sendable, Equatable {
        /// Malformed syntax or framing (400).
        case badRequest
        /// The body is larger than the configured limit (413).
        case contentTooLarge
        /// The request line is longer than the limit (414).
        case uriTooLong
        /// The header section is too large or has too many fields (431).
        case headerFieldsTooLarge
        /// A transfer coding the server does not implement (501).
        case notImplemented
        /// A major version other than 1 (505).
        case versionNotSupported
        /// An `Expect` value other than `100-continue` (417).
        case expectationFailed
        /// The request did not arrive within the timeout, or its body too slowly (408).
        case timeout
        /// The server has no room for the request now (503, with `Retry-After`).
        case serviceUnavailable
    }

    /// The kind of fault.
    public let kind: Kind
    /// A short human-readable reason, sent as the plain-text response body.
    public let reason: String

    /// Creates a parse error.
    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    /// The response status this error implies.
    public var status: HTTPStatus {
        switch kind {
        case .badRequest: .badRequest
        case .contentTooLarge: .contentTooLarge
        case .uriTooLong: .uriTooLong
        case .headerFieldsTooLarge: .requestHeaderFieldsTooLarge
        case .notImplemented: .notImplemented
        case .versionNotSupported: .httpVersionNotSupported
        case .expectationFailed: .expectationFailed
        case .timeout: .requestTimeout
        case .serviceUnavailable: .serviceUnavailable
        }
    }

    public var description: String { "\(status.code) \(reason)" }
}
