/// Loads the session named by the cookie before the handler and saves it after.
///
/// The cookie is `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` when the request came over HTTPS
/// (`X-Forwarded-Proto` is believed only from `TRUSTED_PROXIES`). A visitor without session data gets no
/// row and no cookie.
public struct SessionMiddleware: Middleware {
    /// The store.
    public let store: SessionStore
    /// The session cookie's default name.
    public static let defaultCookieName = "croft_session"
    /// The cookie's name.
    public var cookieName = SessionMiddleware.defaultCookieName
    /// Proxies whose forwarded scheme is trusted.
    public var trustedProxies: AddressList

    /// Sessions from `store`.
    public init(store: SessionStore, trustedProxies: AddressList) {
        self.store = store
        self.trustedProxies = trustedProxies
    }

    public func respond(to request: Request, next: Handler) async throws -> Response {
        var request = request
        var id: String?
        var stored = false
        var values: [String: String] = [:]
        if let cookieID = request.cookies[cookieName], SessionStore.isWellFormed(cookieID) {
            // An id with no row (yet) is kept: it carries the CSRF token of a visitor who has no data.
            id = cookieID
            if let row = try await store.load(id: cookieID) {
                values = row
                stored = true
            }
        }
        let session = Session(id: id, stored: stored, values: values)
        request.storage[SessionKey.self] = session
        var response = try await next(request)
        let state = session.state.withLock { $0 }
        let secure = request.isSecure(trustedProxies: trustedProxies)
        func sendCookie(_ value: String, maxAge: Int) {
            response.setCookie(SetCookie(name: cookieName, value: value, maxAge: maxAge, secure: secure))
        }
        if state.destroyed {
            if let id = state.id, state.stored { try await store.delete(id: id) }
            if request.cookies[cookieName] != nil { sendCookie("", maxAge: 0) }
            return response
        }
        var currentID = state.id
        var issued = state.issued
        if state.rotate {
            if let old = state.id, state.stored { try await store.delete(id: old) }
            currentID = SessionStore.newID()
            issued = true
        }
        if state.modified, let id = currentID ?? (state.values.isEmpty ? nil : SessionStore.newID()) {
            if currentID == nil { issued = true }
            currentID = id
            if state.values.isEmpty {
                if state.stored && !state.rotate { try await store.delete(id: id) }
            } else {
                try await store.save(id: id, values: state.values)
            }
        }
        if issued, let currentID { sendCookie(currentID, maxAge: Int(store.lifetime)) }
        return response
    }
}

extension Request {
    /// Whether the client reached us over HTTPS, as told by a trusted proxy's `X-Forwarded-Proto`.
    public func isSecure(trustedProxies: AddressList) -> Bool {
        guard trustedProxies.contains(remoteAddress) else { return false }
        return headers["X-Forwarded-Proto"]?.lowercased() == "https"
    }

    /// The client's address: the last untrusted hop of `X-Forwarded-For` behind a trusted proxy, else the peer.
    public func clientAddress(trustedProxies: AddressList) -> String {
        guard trustedProxies.contains(remoteAddress), let forwarded = headers["X-Forwarded-For"] else {
            return remoteAddress
        }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return hops.last { !trustedProxies.contains($0) } ?? remoteAddress
    }
}
