import Crypto
import Foundation

/// Cross-site request forgery protection: a per-session token on every unsafe method, plus an
/// `Origin`/`Referer` check, as Django's `CsrfViewMiddleware` does.
///
/// The token is an HMAC of the session id under `SECRET_KEY`, so it costs no database row and changes when
/// the session id rotates (login, logout). It comes back in the form field `csrf_token` or the
/// `X-CSRF-Token` header; templates print the field with `{% csrf_token %}`. Runs after
/// `SessionMiddleware`. A failure is a 403 that says what was wrong.
public struct CSRFMiddleware: Middleware {
    /// The key the tokens are derived with.
    let key: SymmetricKey
    /// Proxies whose forwarded scheme is trusted (to know our own origin's scheme).
    public var trustedProxies: AddressList

    /// Tokens derived from `secret` (the application's `SECRET_KEY`).
    public init(secret: String, trustedProxies: AddressList) {
        key = SymmetricKey(data: SHA256.hash(data: Array(("croft.csrf:" + secret).utf8)))
        self.trustedProxies = trustedProxies
    }

    public func respond(to request: Request, next: Handler) async throws -> Response {
        guard request.session != nil else { preconditionFailure("CSRFMiddleware needs SessionMiddleware before it") }
        var request = request
        request.storage[CSRFKey.self] = self
        // No page, or not for this method: the router's 404 or 405 is the answer, not a CSRF failure.
        if !request.method.isSafe && request.matchesARoute {
            try check(request)
        }
        return try await next(request)
    }

    /// The token for a session id.
    func token(for sessionID: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(sessionID.utf8), using: key)
        return Data(mac).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private func check(_ request: Request) throws {
        let secure = request.isSecure(trustedProxies: trustedProxies)
        let ownOrigin = (secure ? "https://" : "http://") + (request.headers["Host"] ?? "").lowercased()
        if let origin = request.headers["Origin"], origin != "null" {
            guard origin.lowercased() == ownOrigin else {
                throw Self.failure("the request came from another site (Origin \(origin)).")
            }
        } else if let referer = request.headers["Referer"] {
            let lowered = referer.lowercased()
            guard lowered == ownOrigin || lowered.hasPrefix(ownOrigin + "/") else {
                throw Self.failure("the request came from another site (Referer does not match).")
            }
        } else if secure {
            throw Self.failure("an HTTPS form must send a Referer or Origin header.")
        }
        guard let session = request.session, session.state.withLock({ $0.id }) != nil else {
            throw Self.failure("your session cookie is missing (are cookies blocked?).")
        }
        let expected = token(for: session.id)
        let sent = try request.headers["X-CSRF-Token"] ?? request.formFields["csrf_token"] ?? ""
        guard PasswordHasher.constantTimeEquals(Array(sent.utf8), Array(expected.utf8)) else {
            throw Self.failure(sent.isEmpty ? "the form's CSRF token is missing." : "the form's CSRF token is wrong or has expired.")
        }
    }

    static func failure(_ reason: String) -> HTTPError {
        HTTPError(.forbidden, message: "CSRF verification failed: \(reason) Reload the page and try again.")
    }
}

/// Where `CSRFMiddleware` leaves itself for `request.csrfToken`.
enum CSRFKey: RequestStorageKey {
    typealias Value = CSRFMiddleware
}

extension Request {
    /// The CSRF token for this session (issuing a session cookie if needed); nil without CSRF middleware.
    public var csrfToken: String? {
        guard let csrf = storage[CSRFKey.self], let session else { return nil }
        return csrf.token(for: session.id)
    }
}
