/// Adds the browser security headers every response should carry, unless a handler set its own.
///
/// `Content-Security-Policy` allows only same-origin resources; `X-Frame-Options: DENY` forbids framing;
/// `X-Content-Type-Options: nosniff` stops MIME sniffing; `Referrer-Policy` keeps paths off other sites.
public struct SecurityHeadersMiddleware: Middleware {
    /// The headers added when absent.
    public var headers: HTTPHeaders = [
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    ]

    /// Proxies whose `X-Forwarded-Proto: https` is believed; over HTTPS `Strict-Transport-Security` is added.
    public var trustedProxies: [String]

    /// The default set of headers.
    public init(trustedProxies: [String] = []) {
        self.trustedProxies = trustedProxies
    }

    public func respond(to request: Request, next: Handler) async throws -> Response {
        var response = try await next(request)
        for field in headers where !response.headers.contains(field.name) {
            response.headers.add(name: field.name, value: field.value)
        }
        if request.isSecure(trustedProxies: trustedProxies) && !response.headers.contains("Strict-Transport-Security") {
            // Only over HTTPS: a browser must never learn HSTS from a plain-HTTP response (RFC 6797 §7.2).
            response.headers.add(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains")
        }
        return response
    }
}
