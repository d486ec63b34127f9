/// The accounts variables (who may sign up, email verification, password reset, the audit log, links in emails), read from the same sources as
/// ``Settings``; reach them as `settings.accounts`. Every variable is in `.env.example`.
public struct AccountSettings: Sendable {
    /// Whether an address must be proven before its account signs in (django-allauth's names).
    public enum EmailVerification: String, Sendable, CaseIterable {
        /// No verification email.
        case none
        /// A verification email is sent; the account works meanwhile.
        case optional
        /// The account cannot sign in until the link in the email is followed.
        case mandatory
    }

    /// Who may create an account.
    public enum Signup: String, Sendable, CaseIterable {
        /// Anyone, at `/accounts/signup`.
        case open
        /// Only someone with a staff invitation's link.
        case invite
        /// Nobody but staff, from `/staff/users`.
        case closed
    }

    /// `ACCOUNT_EMAIL_VERIFICATION`: `none`, `optional` (default) or `mandatory`.
    public var emailVerification: EmailVerification
    /// `EMAIL_VERIFICATION_TIMEOUT`: seconds a verification link works (3 days).
    public var emailVerificationTimeout: Int
    /// `SIGNUP`: `open` (default), `invite` or `closed`.
    public var signup: Signup
    /// `INVITATION_TIMEOUT`: seconds an invitation link works (7 days).
    public var invitationTimeout: Int
    /// `PASSWORD_RESET_TIMEOUT`: seconds a password-reset link works (Django's name and default: 3 days).
    public var passwordResetTimeout: Int
    /// `PASSWORD_RESET_RATE_LIMIT`: reset requests per client address per hour (10); past it a 429.
    public var passwordResetRateLimit: Int
    /// `PASSWORD_RESET_EMAIL_LIMIT`: reset emails per address per hour (3); past it the page answers as
    /// always but sends nothing, so nobody can flood an inbox through the form.
    public var passwordResetEmailLimit: Int
    /// `AUDIT_RETENTION_DAYS`: how long audit events are kept (365); older ones go in the hourly clean-up.
    public var auditRetentionDays: Int
    /// `SITE_URL`: the site's address for links in emails (`https://example.com`); without it a link is made
    /// from the request's host (checked by `ALLOWED_HOSTS`) and scheme.
    public var siteURL: String?

    /// Values that did not parse; part of ``Settings/problems``.
    public let problems: [String]

    /// Reads the variables from `settings.values`.
    public init(_ settings: Settings) {
        var reader = SettingValues(settings)
        emailVerification = reader.choice("ACCOUNT_EMAIL_VERIFICATION", .optional)
        emailVerificationTimeout = reader.number("EMAIL_VERIFICATION_TIMEOUT", 259_200, 60...31_536_000)
        signup = reader.choice("SIGNUP", .open)
        invitationTimeout = reader.number("INVITATION_TIMEOUT", 604_800, 60...31_536_000)
        passwordResetTimeout = reader.number("PASSWORD_RESET_TIMEOUT", 259_200, 60...31_536_000)
        passwordResetRateLimit = reader.number("PASSWORD_RESET_RATE_LIMIT", 10, 1...1_000_000)
        passwordResetEmailLimit = reader.number("PASSWORD_RESET_EMAIL_LIMIT", 3, 1...1_000)
        auditRetentionDays = reader.number("AUDIT_RETENTION_DAYS", 365, 1...36_500)
        siteURL = reader.text("SITE_URL").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        if let url = siteURL, !(url.hasPrefix("https://") || url.hasPrefix("http://")) || url.contains(where: \.isWhitespace) {
            reader.problem("SITE_URL=\"\(url)\" is not an http:// or https:// address (https://example.com)")
        }
        problems = reader.problems
    }
}

extension Settings {
    /// The accounts settings.
    public var accounts: AccountSettings { AccountSettings(self) }
}
