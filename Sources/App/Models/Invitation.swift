import Croft
import Crypto
import Foundation

/// A staff invitation to make an account with one email address (`invitations`, migration 0006). The link
/// carries a random token; the table keeps only its SHA-256, so a copy of the database opens no account.
public struct Invitation: Model, Equatable {
    public static let tableName = "invitations"

    public var id: Int64?
    /// The address invited; the account made from it has this email, already verified.
    public var email: String
    /// SHA-256 of the link's token, hex.
    public var tokenHash: String
    /// The staff user who invited (nil once that account is deleted).
    public var invitedBy: Int64?
    /// Whether the account is made staff.
    public var makeStaff: Bool
    public var expiresAt: Date
    /// When it was used; an invitation is used once.
    public var acceptedAt: Date?
    public var acceptedUserID: Int64?
    public var createdAt: Date?
    public var updatedAt: Date?

    /// A new invitation and the token for its link.
    static func make(email: String, invitedBy: Int64?, makeStaff: Bool, validFor seconds: Int) -> (Invitation, token: String) {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let token = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let invitation = Invitation(email: email, tokenHash: hash(token), invitedBy: invitedBy, makeStaff: makeStaff,
                                    expiresAt: Date().addingTimeInterval(Double(seconds)))
        return (invitation, token)
    }

    /// The stored form of a token.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The usable invitation a token opens: not used, not expired.
    static func usable(token: String, in db: Connection, now: Date = Date()) throws -> Invitation? {
        guard token.count == 43 else { return nil }
        return try query().where("token_hash = ? AND accepted_at IS NULL AND expires_at > ?", hash(token), now).first(db)
    }
}
