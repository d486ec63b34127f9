import Croft
import Synchronization

/// A fixed-window count of attempts per client address, kept in the cache file (`data/cache.sqlite3`), so
/// several app processes share it and the main database takes no write for it. An address over its limit
/// is also remembered in memory until its window ends, so a flood is answered without a write each.
///
/// ```swift
/// try await AddressRateLimit(cache: cache, action: "login", limit: 20, window: .seconds(60)).count(address)
/// ```
final class AddressRateLimit: Sendable {
    let cache: Cache
    /// What is counted (`login`, `signup`): part of the key and of the message.
    let action: String
    /// Attempts allowed per address per window.
    let limit: Int
    let window: Duration
    /// Addresses known to be over the limit, and until when (at most `maxBlocked`, oldest windows dropped).
    private let blocked = Mutex<[String: ContinuousClock.Instant]>([:])
    static let maxBlocked = 10_000

    init(cache: Cache, action: String, limit: Int, window: Duration) {
        self.cache = cache
        self.action = action
        self.limit = limit
        self.window = window
    }

    /// Counts one attempt from `address`; over the limit, a 429 with `Retry-After` (the window's length).
    func count(_ address: String) async throws {
        let now = ContinuousClock.now
        if let until = blocked.withLock({ $0[address] }), until > now { throw refusal }
        let attempts = try await cache.increment("ratelimit:\(action):\(address)", ttl: window)
        guard attempts <= limit else {
            blocked.withLock { blocked in
                if blocked.count >= Self.maxBlocked { blocked = blocked.filter { $0.value > now } }
                if blocked.count >= Self.maxBlocked { blocked.removeAll() }
                blocked[address] = now + window
            }
            throw refusal
        }
    }

    private var refusal: HTTPError {
        HTTPError(.tooManyRequests, message: "Too many \(action) attempts from your address. Try again in a few minutes.",
                  headers: ["Retry-After": String(window.components.seconds)])
    }
}

/// The per-address limits of the account pages, built from the settings.
struct AccountRateLimits: Sendable {
    let login: AddressRateLimit
    let signup: AddressRateLimit
    let passwordReset: AddressRateLimit

    init(cache: Cache, settings: Settings) {
        passwordReset = AddressRateLimit(cache: cache, action: "password reset", limit: settings.accounts.passwordResetRateLimit,
                                         window: .seconds(3600))
        login = AddressRateLimit(cache: cache, action: "login", limit: settings.loginRateLimit, window: .seconds(60))
        signup = AddressRateLimit(cache: cache, action: "signup", limit: settings.signupRateLimit, window: .seconds(3600))
    }
}

/// Counts every `POST` to the log-in and sign-up pages against its per-address limit, first of all the
/// site's middleware: a refused attempt costs no session lookup, no CSRF check and no hashing.
struct AccountRateLimitsMiddleware: Middleware {
    /// The paths whose POSTs are counted, and the limit each counts against.
    let limits: [String: AddressRateLimit]
    let trustedProxies: AddressList

    func respond(to request: Request, next: Handler) async throws -> Response {
        // The path as the router reads it: `/accounts/login/` and `//accounts/%6Cogin` are the same page.
        if request.method == .post, let limit = limits[Router.normalizedPath(request.path)] {
            try await limit.count(request.clientAddress(trustedProxies: trustedProxies))
        }
        return try await next(request)
    }
}
