import Croft
import Foundation

/// A person who can sign in. Passwords are stored as Django-format PBKDF2 hashes, never in clear.
public struct User: Model, Equatable {
    public static let tableName = "users"

    public var id: Int64?
    /// The sign-in address, unique regardless of case.
    public var email: String
    /// `pbkdf2_sha256$iterations$salt$hash`.
    public var passwordHash: String
    /// The name shown in the header; may be empty.
    public var displayName: String
    /// `light`, `dark` or `system`.
    public var theme: String
    /// May use `/staff/`.
    public var isStaff: Bool
    /// Deactivated accounts cannot sign in.
    public var isActive: Bool
    /// The last successful sign-in.
    public var lastLoginAt: Date?
    /// When the email address was last proven (a link followed, an invitation accepted); nil until then
    /// and after it changes.
    public var emailVerifiedAt: Date?
    public var createdAt: Date?
    public var updatedAt: Date?

    /// A new active, non-staff account.
    public init(email: String, passwordHash: String, displayName: String = "", isStaff: Bool = false) {
        self.email = email
        self.passwordHash = passwordHash
        self.displayName = displayName
        self.theme = "system"
        self.isStaff = isStaff
        self.isActive = true
    }

    /// The name to show: the display name, else the part of the email before `@`.
    public var shownName: String {
        displayName.isEmpty ? String(email.prefix { $0 != "@" }) : displayName
    }

    /// The account with this email (any case), if any.
    public static func find(email: String, in db: Connection) throws -> User? {
        try query().where("email = ?", email.trimmingCharacters(in: .whitespaces)).first(db)
    }

    /// What templates may see of a user (never the hash).
    public var templateValue: TemplateValue {
        ["id": .int(Int(id ?? 0)), "email": .string(email), "name": .string(shownName),
         "display_name": .string(displayName), "theme": .string(theme), "is_staff": .bool(isStaff),
         "is_active": .bool(isActive), "email_verified": .bool(emailVerifiedAt != nil)]
    }
}

extension User {
    /// Writes only the named columns of account `id` (and `updated_at`), and only while its password hash is
    /// still `expectedHash` when one is given; returns the row as it now is, or nil when nothing matched.
    ///
    /// A change computed from a row read earlier (a second of hashing before, in another request) never writes
    /// back the columns it did not mean to change: a password reset, a deactivation or a demotion made meanwhile
    /// stays. With `expectedHash`, a change that a password check allowed is refused once the password changed.
    static func change(_ id: Int64, set columns: [String: (any DatabaseValueConvertible)?], ifPasswordHash expectedHash: String? = nil,
                       in db: Connection) throws -> User? {
        var row = query().where("id = ?", id)
        if let expectedHash { row = row.where("password_hash = ?", expectedHash) }
        guard try row.updateAll(db, set: columns.merging(["updated_at": Date()]) { new, _ in new }) == 1 else { return nil }
        return try find(id, in: db)
    }
}
