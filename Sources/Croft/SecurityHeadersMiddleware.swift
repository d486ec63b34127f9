import Synchronization

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
    public var trustedProxies: AddressList

    private let untrustedForwarding: UntrustedForwardingWarning?

    /// The default set of headers. With a `logger`, the first request that carries `X-Forwarded-*` from a
    /// peer outside `trustedProxies` logs a warning (once per process): the proxy in front is probably
    /// missing from `TRUSTED_PROXIES`, so HTTPS and client addresses are not seen.
    public init(trustedProxies: AddressList = [], logger: Logger? = nil) {
        self.trustedProxies = trustedProxies
        untrustedForwarding = logger.map(UntrustedForwardingWarning.init)
    }

    public func respond(to request: Request, next: Handler) async throws -> Response {
        if let untrustedForwarding, !request.remoteAddress.isEmpty,
           request.headers.contains("X-Forwarded-For") || request.headers.contains("X-Forwarded-Proto"),
           !trustedProxies.contains(request.remoteAddress) {
            untrustedForwarding.warn(peer: request.remoteAddress, trustedProxies: trustedProxies)
        }
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

/// Logs once that forwarded headers came from a peer that is not a trusted proxy.
final class UntrustedForwardingWarning: Sendable {
    private let logger: Logger
    private let warned = Atomic<Bool>(false)

    init(logger: Logger) {
        self.logger = logger
    }

    func warn(peer: String, trustedProxies: AddressList) {
        guard !warned.exchange(true, ordering: .relaxed) else { return }
        logger.warning(Logger.Message(stringLiteral:
            "X-Forwarded-For/X-Forwarded-Proto from \(peer), which is not in TRUSTED_PROXIES (\(trustedProxies)): "
                + "they are ignored, so HTTPS and client addresses are not seen. Add the proxy's address or range "
                + "(e.g. 172.16.0.0/12 for Docker) to TRUSTED_PROXIES. (Logged once.)"))
    }
}
