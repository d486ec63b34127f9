/// An error a handler throws to answer with a given status and a message safe to show the user.
///
/// ```swift
/// guard let note = try await Note.find(id, in: db) else { throw HTTPError(.notFound) }
/// ```
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// The response status.
    public var status: HTTPStatus
    /// A message for the user (shown on the error page); defaults to the reason phrase.
    public var message: String
    /// Extra headers for the response (e.g. `Allow` on 405, `Retry-After` on 503).
    public var headers: HTTPHeaders

    /// Creates an error response description.
    public init(_ status: HTTPStatus, message: String? = nil, headers: HTTPHeaders = [:]) {
        self.status = status
        self.message = message ?? status.reasonPhrase
        self.headers = headers
    }

    /// Creates an error response description.
    public init(status: HTTPStatus, message: String? = nil) {
        self.init(status, message: message)
    }

    public var description: String { "\(status.code) \(message)" }
}
