import Croft
import Foundation

/// The account emails, each queued in the caller's transaction (it goes if and only if the change commits).
enum AccountEmails {
    /// "Reset your password": a link with a password-reset token.
    static func queuePasswordReset(for user: User, request: Request, in db: Connection) throws {
        let settings = request.application.settings.accounts
        let token = try request.accountTokens.make(for: user, purpose: .passwordReset)
        let link = request.absoluteURL(try request.url(for: "password_reset_confirm", ["id": String(user.id ?? 0), "token": token]))
        try queue("email/password_reset", to: user.email, request: request, in: db, context: [
            "user": user.templateValue, "link": .string(link), "valid_hours": .int(settings.passwordResetTimeout / 3600),
        ])
    }

    /// "Confirm your email address": a link with an email-verification token, to the user's current email.
    static func queueVerification(for user: User, request: Request, in db: Connection) throws {
        let settings = request.application.settings.accounts
        let token = try request.accountTokens.make(for: user, purpose: .emailVerification)
        let link = request.absoluteURL(try request.url(for: "verify_email", ["id": String(user.id ?? 0), "token": token]))
        try queue("email/verify_email", to: user.email, request: request, in: db, context: [
            "user": user.templateValue, "link": .string(link), "valid_hours": .int(settings.emailVerificationTimeout / 3600),
        ])
    }

    /// "You are invited": a link to the invitation's sign-up page.
    static func queueInvitation(to email: String, token: String, from inviter: User, request: Request, in db: Connection) throws {
        let settings = request.application.settings.accounts
        let link = request.absoluteURL(try request.url(for: "invitation", ["token": token]))
        try queue("email/invitation", to: email, request: request, in: db, context: [
            "inviter": inviter.templateValue, "link": .string(link), "valid_days": .int(settings.invitationTimeout / 86_400),
        ])
    }

    private static func queue(_ template: String, to address: String, request: Request, in db: Connection,
                              context: [String: TemplateValue]) throws {
        let mailer = request.application.mailer
        var context = context
        context["site"] = .string(request.absoluteURL("/"))
        try mailer.queue(try mailer.message(template: template, to: [address], context: context), in: db)
    }
}
