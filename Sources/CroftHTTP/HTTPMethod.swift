/// An HTTP request method, compared case-sensitively as RFC 9110 §9.1 requires.
///
/// Any token is a valid method; the common ones are provided as constants.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method token as sent on the wire, e.g. `"GET"`.
    public let rawValue: String

    /// Wraps a method token.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps a method token.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// `GET`: retrieve a representation.
    public static let get = HTTPMethod("GET")
    /// `HEAD`: as GET, without the body.
    public static let head = HTTPMethod("HEAD")
    /// `POST`: process the enclosed representation.
    public static let post = HTTPMethod("POST")
    /// `PUT`: replace the target resource.
    public static let put = HTTPMethod("PUT")
    /// `PATCH`: partially modify the target resource.
    public static let patch = HTTPMethod("PATCH")
    /// `DELETE`: remove the target resource.
    public static let delete = HTTPMethod("DELETE")
    /// `OPTIONS`: describe communication options.
    public static let options = HTTPMethod("OPTIONS")
    /// `CONNECT`: establish a tunnel (not supported by the server; answered 501 by the router).
    public static let connect = HTTPMethod("CONNECT")
    /// `TRACE`: loop-back test (not routed by default).
    public static let trace = HTTPMethod("TRACE")

    /// Whether the method is safe in the sense of RFC 9110 §9.2.1 (no state change is requested).
    public var isSafe: Bool {
        self == .get || self == .head || self == .options || self == .trace
    }
}
