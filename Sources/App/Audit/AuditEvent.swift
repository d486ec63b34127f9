import Croft
import Foundation

/// One line of the audit log (`audit_events`): when, who (`actor`), what (`action`, `target`), from where
/// (client address and user agent) and anything else as JSON `details`.
public struct AuditEvent: Model, Equatable {
    public static let tableName = "audit_events"

    public var id: Int64?
    /// Set by `insert`.
    public var createdAt: Date?
    /// The signed-in user who acted; nil for a visitor (a failed sign-in, a reset request) or once the
    /// account is deleted.
    public var actorID: Int64?
    /// The actor's email when it happened (or the email a visitor typed), kept after the account goes.
    public var actorEmail: String
    /// What happened, `area.verb` (`auth.login`, `staff.user.deactivate`); see ``AuditAction``.
    public var action: String
    /// What it happened to: an email, `user:42`, a backup's file name.
    public var target: String
    /// The client's address (through trusted proxies).
    public var clientAddress: String
    /// The browser's `User-Agent`, cut at 500 characters.
    public var userAgent: String
    /// JSON object text.
    public var details: String

    /// What templates show of an event.
    public var templateValue: TemplateValue {
        ["id": .int(Int(id ?? 0)), "created_at": createdAt.map(TemplateValue.date) ?? .null, "actor_id": actorID.map { .int(Int($0)) } ?? .null,
         "actor_email": .string(actorEmail), "action": .string(action), "target": .string(target),
         "client_address": .string(clientAddress), "user_agent": .string(userAgent), "details": .string(details)]
    }
}

/// The actions the site records. The raw value is what the log stores and `/staff/audit` filters by.
public enum AuditAction: String, Sendable, CaseIterable {
    case signup = "auth.signup"
    case login = "auth.login"
    case loginFailed = "auth.login_failed"
    case lockedOut = "auth.locked_out"
    case logout = "auth.logout"
    case passwordChanged = "auth.password_change"
    case passwordResetRequested = "auth.password_reset_request"
    case passwordReset = "auth.password_reset"
    case profileChanged = "auth.profile_change"
    case emailChanged = "auth.email_change"
    case verificationRequested = "auth.verification_request"
    case emailVerified = "auth.email_verified"
    case invitationSent = "staff.invitation"
    case invitationRevoked = "staff.invitation_revoke"
    case invitationAccepted = "auth.invitation_accept"
    case userCreated = "staff.user_create"
    case userDeleted = "staff.user_delete"
    case backupCreated = "staff.backup"
    case backupDeleted = "staff.backup_delete"
    case backupRestored = "staff.restore"
    case maintenanceOn = "staff.maintenance_on"
    case maintenanceOff = "staff.maintenance_off"
    case jobRetried = "staff.job_retry"
    case jobDeleted = "staff.job_delete"
    case userUpdated = "staff.user_update"
    case userActivated = "staff.user_activate"
    case userDeactivated = "staff.user_deactivate"
    case passwordResetSent = "staff.password_reset_send"
}
