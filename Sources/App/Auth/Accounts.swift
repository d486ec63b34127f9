import Croft
import Foundation

/// Account rules shared by the pages and the command line: validation, sign-up, password changes.
public enum Accounts {
    /// The outcome of a sign-up.
    public enum SignUpResult: Sendable {
        /// The new account.
        case created(User)
        /// Field name → what is wrong with it.
        case invalid([String: String])
    }

    /// The password hasher configured by `PASSWORD_ITERATIONS`.
    public static func hasher(_ settings: Settings) -> PasswordHasher {
        PasswordHasher(iterations: settings.passwordIterations, gate: settings.passwordHashing)
    }

    /// Checks an email address's shape (one @, a dot in the domain, ASCII, nothing a mail header could misread).
    public static func validateEmail(_ email: String) -> String? {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        // The mailer's own check too, so every account's address is one mail can be sent to (no `<`, `,`, ...).
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !email.contains(where: \.isWhitespace),
              !TextRules.hasControlCharacters(email, multiline: false), EmailAddress.isAddress(email) else {
            return "Enter a valid email address."
        }
        return nil
    }

    /// Django-like password rules: at least 8 characters, not entirely numeric, not the email.
    public static func validatePassword(_ password: String, email: String) -> String? {
        if password.count < 8 { return "Use at least 8 characters." }
        if password.allSatisfy(\.isNumber) { return "The password cannot be entirely numeric." }
        if password.lowercased() == email.lowercased() { return "The password is too similar to the email address." }
        return nil
    }

    /// Creates an account; returns field errors instead when the input is not acceptable. `record` runs in
    /// the transaction that inserts the user (the audit event of the sign-up).
    /// `verified` marks the address proven (an invitation's, or one staff typed).
    public static func signUp(email rawEmail: String, password: String, displayName: String = "", isStaff: Bool = false,
                              settings: Settings, db: DatabasePool, verified: Bool = false,
                              record: (@Sendable (User, Connection) throws -> Void)? = nil) async throws -> SignUpResult {
        let email = rawEmail.trimmingCharacters(in: .whitespaces)
        var errors: [String: String] = [:]
        if let problem = validateEmail(email) { errors["email"] = problem }
        if let problem = validatePassword(password, email: email) { errors["password"] = problem }
        if let problem = TextRules.displayNameProblem(displayName) { errors["display_name"] = problem }
        guard errors.isEmpty else { return .invalid(errors) }
        // Hashing takes ~1 s at Django's iteration count: done before taking the write lock.
        let hash = try await hasher(settings).hashInBackground(password)
        do {
            let user = try await db.write { db in
                var user = User(email: email, passwordHash: hash, displayName: displayName, isStaff: isStaff)
                if verified { user.emailVerifiedAt = Date() }
                try user.insert(db)
                try record?(user, db)
                return user
            }
            return .created(user)
        } catch let error as SQLiteError where error.isUniqueConstraintViolation {
            return .invalid(["email": "An account with this email already exists."])
        }
    }
}
