/// Refuses writes with `503 Service Unavailable` and `Retry-After` while ``MaintenanceMode`` is on;
/// `GET`, `HEAD` and `OPTIONS` pass, so the site keeps serving reads.
///
/// https://www.rfc-editor.org/rfc/rfc9110#name-503-service-unavailable and #name-retry-after
public struct MaintenanceMiddleware: Middleware {
    /// The switch.
    public let mode: MaintenanceMode
    /// Seconds sent in `Retry-After`.
    public let retryAfter: Int

    /// Creates the middleware.
    public init(mode: MaintenanceMode, retryAfter: Int = 300) {
        self.mode = mode
        self.retryAfter = retryAfter
    }

    public func respond(to request: Request, next: Handler) async throws -> Response {
        switch request.method {
        case .get, .head, .options:
            return try await next(request)
        default:
            guard mode.isOn else { return try await next(request) }
            throw HTTPError(.serviceUnavailable,
                            message: "The site is in read-only maintenance mode; please try again in a few minutes.",
                            headers: ["Retry-After": String(retryAfter)])
        }
    }
}
