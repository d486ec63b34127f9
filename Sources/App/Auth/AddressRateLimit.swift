import Croft

/// A fixed-window count of attempts per client address, kept in the cache file (`data/cache.sqlite3`), so
/// several app processes share it and the main database takes no write for it.
///
/// ```swift
/// try await AddressRateLimit(cache: cache, action: "login", limit: 20, window: .seconds(60)).count(address)
/// ```
struct AddressRateLimit: Sendable {
    let cache: Cache
    /// What is counted (`login`, `signup`): part of the key and of the message.
    let action: String
    /// Attempts allowed per address per window.
    let limit: Int
    let window: Duration

    /// Counts one attempt from `address`; over the limit, a 429 with `Retry-After` (the window's length).
    func count(_ address: String) async throws {
        let attempts = try await cache.increment("ratelimit:\(action):\(address)", ttl: window)
        guard attempts <= limit else {
            let seconds = Int(window.components.seconds)
            throw HTTPError(.tooManyRequests,
                            message: "Too many \(action) attempts from your address. Try again in a few minutes.",
                            headers: ["Retry-After": String(seconds)])
        }
    }
}

/// The per-address limits of the account pages, handed to them through the request.
struct AccountRateLimits: Sendable {
    let login: AddressRateLimit
    let signup: AddressRateLimit

    init(cache: Cache, settings: Settings) {
        login = AddressRateLimit(cache: cache, action: "login", limit: settings.loginRateLimit, window: .seconds(60))
        signup = AddressRateLimit(cache: cache, action: "signup", limit: settings.signupRateLimit, window: .seconds(3600))
    }
}

enum AccountRateLimitsKey: RequestStorageKey {
    typealias Value = AccountRateLimits
}

/// Puts the account rate limits where the account pages find them.
struct AccountRateLimitsMiddleware: Middleware {
    let limits: AccountRateLimits

    func respond(to request: Request, next: Handler) async throws -> Response {
        var request = request
        request.storage[AccountRateLimitsKey.self] = limits
        return try await next(request)
    }
}

extension Request {
    /// Counts a log-in or sign-up attempt from this client against its limit (no limit without the middleware).
    func countAttempt(_ limit: KeyPath<AccountRateLimits, AddressRateLimit>) async throws {
        guard let limits = storage[AccountRateLimitsKey.self] else { return }
        try await limits[keyPath: limit].count(clientAddress(trustedProxies: application.settings.trustedProxies))
    }
}
