/// Answers 400 to requests whose `Host` is not in `ALLOWED_HOSTS` (DNS rebinding, host-header poisoning).
///
/// Entries are host names without port; `.example.com` also allows every subdomain; `*` allows all.
/// `/health` is exempt so container health checks work whatever host they use.
public struct AllowedHostsMiddleware: Middleware {
    /// The allowed host patterns, lowercased.
    public let allowed: [String]
    /// Paths answered whatever the host.
    public var exemptPaths: Set<String> = ["/health"]

    /// Allows `hosts` (as in `ALLOWED_HOSTS`).
    public init(hosts: [String]) {
        allowed = hosts.map { $0.trimmingOWS().lowercased() }.filter { !$0.isEmpty }
    }

    public func respond(to request: Request, next: Handler) async throws -> Response {
        if exemptPaths.contains(String(request.path)) || isAllowed(request.headers["Host"]) {
            return try await next(request)
        }
        throw HTTPError(.badRequest, message: "This site does not answer for that host name. Add it to ALLOWED_HOSTS.")
    }

    /// Whether a `Host` value (with or without port) is allowed.
    public func isAllowed(_ hostHeader: String?) -> Bool {
        if allowed.contains("*") { return true }
        guard let hostHeader, !hostHeader.isEmpty else { return false }
        var host = hostHeader.lowercased()
        if host.hasPrefix("[") {
            if let close = host.firstIndex(of: "]") { host = String(host[...close]) }
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        if host.hasSuffix(".") { host.removeLast() }
        for pattern in allowed {
            if pattern == "*" || pattern == host { return true }
            if pattern.hasPrefix("."), host == String(pattern.dropFirst()) || host.hasSuffix(pattern) { return true }
        }
        return false
    }
}

extension StringProtocol {
    func trimmingOWS() -> Substring {
        var sub = Substring(self)
        while let first = sub.first, first == " " || first == "\t" { sub.removeFirst() }
        while let last = sub.last, last == " " || last == "\t" { sub.removeLast() }
        return sub
    }
}
