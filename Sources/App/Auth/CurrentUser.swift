import Croft

/// Where `CurrentUserMiddleware` puts the signed-in user.
enum CurrentUserKey: RequestStorageKey {
    typealias Value = User
}

extension Request {
    /// The signed-in, active user, or nil.
    public var user: User? { storage[CurrentUserKey.self] }

    /// The signed-in user, or a 404/redirect for handlers behind `LoginRequired` (which guarantees one).
    func requireUser() throws -> User {
        guard let user else { throw HTTPError(.unauthorized, message: "Please log in.") }
        return user
    }

    /// The signed-in user's id (`LoginRequired` guarantees there is one).
    func requireUserID() throws -> Int64 {
        guard let id = try requireUser().id else { throw HTTPError(.unauthorized, message: "Please log in.") }
        return id
    }
}

/// Loads the user named by the session (`user_id`) and shows it to templates as `user`.
///
/// The session signs the user in only while its password hash matches (``SessionAuthHash``). A signed-in
/// page is marked `Cache-Control: private, no-store`: it holds a name, an email and a CSRF token that no
/// shared cache, and no browser's back-forward cache on a shared machine, should keep.
struct CurrentUserMiddleware: Middleware {
    let authHash: SessionAuthHash
    let tokens: AccountTokens

    func respond(to request: Request, next: Handler) async throws -> Response {
        var request = request
        request.storage[SessionAuthHashKey.self] = authHash
        request.storage[AccountTokensKey.self] = tokens
        guard let idText = request.session?["user_id"], let id = Int64(idText) else { return try await next(request) }
        let found = try await request.db.read { db in try User.find(id, in: db) }
        guard let user = found, user.isActive,
              authHash.matches(request.session?[SessionAuthHash.sessionKey], user: user) else {
            // Deleted, deactivated, or its password changed meanwhile: the session no longer signs anyone in.
            request.session?.destroy()
            return try await next(request)
        }
        request.storage[CurrentUserKey.self] = user
        var context = request.storage[TemplateContextKey.self] ?? [:]
        context["user"] = user.templateValue
        request.storage[TemplateContextKey.self] = context
        var response = try await next(request)
        response.headers["Cache-Control"] = "private, no-store"
        return response
    }
}

/// Sends visitors who are not signed in to the login page, then back (`?next=`).
struct LoginRequired: Middleware {
    /// The login page, coming back to this request's address afterwards.
    static func loginURL(_ request: Request) throws -> String {
        try request.url(for: "login") + "?next=" + FormDecoding.percentEncode(request.target)
    }

    func respond(to request: Request, next: Handler) async throws -> Response {
        guard request.user != nil else { return .redirect(to: try Self.loginURL(request)) }
        return try await next(request)
    }
}

/// Lets only staff through; others get a 404 (the staff area's existence is not advertised).
struct StaffRequired: Middleware {
    func respond(to request: Request, next: Handler) async throws -> Response {
        guard let user = request.user else { return .redirect(to: try LoginRequired.loginURL(request)) }
        guard user.isStaff else { throw HTTPError(.notFound, message: "There is no page at this address.") }
        return try await next(request)
    }
}
