/// One parsed HTTP request, with its body fully received.
///
/// A value: middleware passes a modified copy along (`var request = request; request.storage[...] = ...`).
public struct Request: Sendable {
    /// The request method.
    public var method: HTTPMethod
    /// The request target exactly as sent (`/notes/3?page=2`).
    public var target: String
    /// The HTTP version of the request.
    public var version: HTTPVersion
    /// The header fields in the order received.
    public var headers: HTTPHeaders
    /// The body bytes (empty when there was none). Bounded by the server's body limit.
    public var body: [UInt8]
    /// The peer's address as text (`127.0.0.1`, `::1`), or empty in tests.
    public var remoteAddress: String
    /// A short id for this request, used in logs and error pages.
    public var id: String
    /// Path parameters filled in by the router (`:id` → `parameters["id"]`).
    public var parameters: [String: String]
    /// Typed values middleware attaches for later stages (the session, the current user, ...).
    public var storage: RequestStorage

    /// Creates a request; the server and test clients use this.
    public init(
        method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:],
        body: [UInt8] = [], remoteAddress: String = "", id: String = ""
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.id = id
        self.parameters = [:]
        self.storage = RequestStorage()
    }

    /// The path part of the target, still percent-encoded (`/notes/3`).
    public var path: Substring {
        if let mark = target.firstIndex(of: "?") { return target[..<mark] }
        return target[...]
    }

    /// The query string without the `?`, or nil when there is none.
    public var queryString: Substring? {
        guard let mark = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: mark)...]
    }

    /// The decoded query parameters (`?q=a+b&page=2`); the last value wins for repeated names.
    public var query: [String: String] {
        guard let queryString else { return [:] }
        return FormDecoding.decode(queryString)
    }

    /// The body as UTF-8 text (invalid sequences repaired).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Whether the connection should stay open after this request (RFC 9112 §9.3).
    public var wantsKeepAlive: Bool {
        if version == .http1_1 { return !headers.containsToken("close", in: "Connection") }
        return headers.containsToken("keep-alive", in: "Connection")
    }
}

/// A key for a typed value in `RequestStorage`.
public protocol RequestStorageKey {
    /// The type of value stored under this key.
    associatedtype Value: Sendable
}

/// Typed per-request values that middleware hands to later stages.
public struct RequestStorage: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    /// An empty store.
    public init() {}

    /// The value stored under `key`, or nil.
    public subscript<Key: RequestStorageKey>(key: Key.Type) -> Key.Value? {
        get { values[ObjectIdentifier(key)] as? Key.Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }
}
