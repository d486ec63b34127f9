import Foundation

/// Caches whole responses to anonymous `GET` requests in the ``Cache``: opt in per route.
///
/// A request is served from the cache only when it is a `GET` from a visitor with no session (no session
/// cookie, and none the session middleware knows of) and no `Authorization`: such a page cannot hold anyone's
/// data. A response is stored only when it is a `200` with an in-memory body, no `Set-Cookie`, no
/// `Cache-Control: private` or `no-store`, and the handler did not give the visitor a session (a page that
/// printed a CSRF token did). Responses carry `X-Cache: HIT` or `MISS`.
///
/// ```swift
/// let pageCache = PageCacheMiddleware(cache: cache, ttl: .seconds(60))
/// try router.add(.get, "/about", name: "about", middleware: [pageCache]) { request in ... }
/// // or for a whole group: try router.group("/docs", middleware: [pageCache]) { docs in ... }
/// ```
public struct PageCacheMiddleware: Middleware {
    /// Where pages are stored.
    public let cache: Cache
    /// How long a page is served from the cache.
    public let ttl: Duration
    /// The cookie whose presence marks a signed-in (or at least sessioned) visitor: the session middleware's.
    public let sessionCookie: String

    /// Creates the middleware; `sessionCookie` is `SessionMiddleware`'s cookie unless yours is renamed.
    public init(cache: Cache, ttl: Duration = .seconds(60), sessionCookie: String = SessionMiddleware.defaultCookieName) {
        self.cache = cache
        self.ttl = ttl
        self.sessionCookie = sessionCookie
    }

    /// The cache key of a request: host and target, so query strings are distinct pages.
    static func key(for request: Request) -> String {
        "page:" + (request.headers["Host"] ?? "") + request.target
    }

    /// Whether `request` may be answered from the cache.
    func isCacheable(_ request: Request) -> Bool {
        request.method == .get && request.cookies[sessionCookie] == nil && request.headers["Authorization"] == nil
            && !Self.hasSession(request)
    }

    /// Whether the session middleware holds (or, during the handler, issued) a session for this visitor,
    /// whatever its cookie is called.
    static func hasSession(_ request: Request) -> Bool {
        guard let session = request.session else { return false }
        return session.state.withLock { $0.id != nil || $0.stored || !$0.values.isEmpty }
    }

    public func respond(to request: Request, next: Handler) async throws -> Response {
        guard isCacheable(request) else { return try await next(request) }
        let key = Self.key(for: request)
        if let page = try? await cache.get(key, as: CachedPage.self) {
            var headers = HTTPHeaders(page.headers.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil })
            headers.replaceOrAdd(name: "X-Cache", value: "HIT")
            return Response(status: HTTPStatus(code: page.status, reasonPhrase: page.reason), headers: headers, body: .bytes(page.body))
        }
        var response = try await next(request)
        if response.status.code == 200, case .bytes(let body) = response.body, !response.headers.contains("Set-Cookie"),
           !Self.hasSession(request),
           !(response.headers["Cache-Control"] ?? "").contains("private"),
           !(response.headers["Cache-Control"] ?? "").contains("no-store") {
            let page = CachedPage(status: response.status.code, reason: response.status.reasonPhrase,
                                  headers: response.headers.map { [$0.name, $0.value] }, body: body)
            try? await cache.set(key, page, ttl: ttl)
        }
        response.headers.replaceOrAdd(name: "X-Cache", value: "MISS")
        return response
    }
}
