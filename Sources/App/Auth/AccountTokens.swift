import Croft
import Crypto
import Foundation

/// Single-use, expiring links for accounts, Django's `PasswordResetTokenGenerator` design: no table, an HMAC
/// under `SECRET_KEY` over the user's id, current password hash, last sign-in, email and the time it was made.
///
/// A password-reset token dies the moment it is used (the password hash changes), when the password is
/// changed any other way, after the user signs in (the last sign-in changes), when the email changes, and
/// after its timeout. An email-verification token signs the id, the email and when it was last verified: it
/// dies once used, and when the email changes.
struct AccountTokens: Sendable {
    /// What a token is for; a token for one purpose never passes for another.
    enum Purpose: String, Sendable {
        case passwordReset = "password-reset"
        case emailVerification = "email-verification"
    }

    private let key: SymmetricKey
    /// Seconds a password-reset token stays good.
    let timeout: Int
    /// Seconds an email-verification token stays good.
    let verificationTimeout: Int

    init(secret: String, timeout: Int, verificationTimeout: Int = 259_200) {
        key = SymmetricKey(data: SHA256.hash(data: Array(("croft.account-tokens:" + secret).utf8)))
        self.timeout = timeout
        self.verificationTimeout = verificationTimeout
    }

    /// `<seconds, base 36>-<32 hex digits>`, made at `now`.
    func make(for user: User, purpose: Purpose, now: Date = Date()) -> String {
        let stamp = Int(now.timeIntervalSince1970)
        return String(stamp, radix: 36) + "-" + signature(user, purpose, stamp)
    }

    /// Whether `token` was made for this user, purpose and state, and is not older than `timeout` (nor from
    /// the future). Compared in constant time.
    func check(_ token: String, for user: User, purpose: Purpose, now: Date = Date()) -> Bool {
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 12, let stamp = Int(parts[0], radix: 36), parts[1].count == 32 else { return false }
        let age = Int(now.timeIntervalSince1970) - stamp
        guard age >= -60, age <= (purpose == .passwordReset ? timeout : verificationTimeout) else { return false }
        return PasswordHasher.constantTimeEquals(Array(parts[1].utf8), Array(signature(user, purpose, stamp).utf8))
    }

    private func signature(_ user: User, _ purpose: Purpose, _ stamp: Int) -> String {
        func seconds(_ date: Date?) -> String { date.map { String(Int($0.timeIntervalSince1970)) } ?? "" }
        let state = switch purpose {
        case .passwordReset: [user.passwordHash, seconds(user.lastLoginAt)]
        case .emailVerification: [seconds(user.emailVerifiedAt)]
        }
        let message = ([purpose.rawValue, String(user.id ?? 0)] + state + [user.email.lowercased(), String(stamp)])
            .joined(separator: "\u{1F}")
        let code = HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: key)
        return code.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}

enum AccountTokensKey: RequestStorageKey {
    typealias Value = AccountTokens
}

extension Request {
    /// The site's account tokens (set by `CurrentUserMiddleware`).
    var accountTokens: AccountTokens {
        get throws {
            guard let tokens = storage[AccountTokensKey.self] else {
                throw HTTPError(.internalServerError, message: "Accounts are not set up on this site.")
            }
            return tokens
        }
    }

    /// An absolute URL for a path of this site, for an email: `SITE_URL`, else this request's scheme and host
    /// (the host was checked against `ALLOWED_HOSTS`).
    func absoluteURL(_ path: String) -> String {
        let settings = application.settings
        if let site = settings.accounts.siteURL { return site + path }
        let scheme = isSecure(trustedProxies: settings.trustedProxies) ? "https" : "http"
        return "\(scheme)://\(headers["Host"] ?? "localhost")" + path
    }
}
