import Croft
import Foundation

/// Proving an email address (django-allauth's flow): a link by email, followed by a button (a `POST`, so a
/// mail scanner that fetches links confirms nothing), and a resend form with limits.
enum EmailVerificationController {
    /// `GET /accounts/verify`: "we sent you a link", with the resend form.
    @Sendable static func sent(_ request: Request) async throws -> Response {
        try request.render("accounts/verify_sent.html", ["form": try EmailAddressForm(email: request.user?.email ?? "").templateValue()])
    }

    /// `GET /accounts/verify/:id/:token`: the confirm button, when the link is good.
    @Sendable static func confirmForm(_ request: Request) async throws -> Response {
        guard let user = try await validUser(request) else { return try invalid(request) }
        return try request.render("accounts/verify_confirm.html", ["account": user.templateValue])
    }

    /// `POST /accounts/verify/:id/:token`: marks the address proven.
    @Sendable static func confirm(_ request: Request) async throws -> Response {
        guard let user = try await validUser(request) else { return try invalid(request) }
        // Only the one column, and only while the account still has the address the link was sent to.
        let confirmed = try await request.db.write { [user] db -> Bool in
            try db.execute("UPDATE users SET email_verified_at = ?, updated_at = ? WHERE id = ? AND email = ? AND email_verified_at IS NULL",
                           Date(), Date(), user.id, user.email)
            guard db.changes == 1 else { return false }
            try Audit.record(.emailVerified, actor: user, target: user.email, request: request, in: db)
            return true
        }
        guard confirmed else { return try invalid(request) }
        request.flash("Your email address \(user.email) is confirmed.")
        return .redirect(to: try request.url(for: request.user == nil ? "login" : "notes"))
    }

    /// `POST /accounts/verify/resend`: the same answer whatever the address; a link only for an active account
    /// that is not verified, at most `PASSWORD_RESET_EMAIL_LIMIT` an hour per address.
    @Sendable static func resend(_ request: Request) async throws -> Response {
        let form = try request.decodeForm(EmailAddressForm.self)
        let errors = form.validate()
        guard errors.isEmpty else {
            return try request.render("accounts/verify_sent.html", ["form": try form.templateValue(errors: errors)], status: .unprocessableContent)
        }
        let limit = request.application.settings.accounts.passwordResetEmailLimit
        let email = form.email
        try await request.db.write { db in
            let user = try User.find(email: email, in: db)
            let recent = try Audit.count(.verificationRequested, target: email.lowercased(), since: Date().addingTimeInterval(-3600), sentOnly: true, in: db)
            var sent = false
            if let user, user.isActive, user.emailVerifiedAt == nil, recent < limit {
                try AccountEmails.queueVerification(for: user, request: request, in: db)
                sent = true
            }
            try Audit.record(.verificationRequested, actor: request.user, actorEmail: email, target: email.lowercased(), request: request,
                             details: ["sent": sent ? "yes" : "no"], in: db)
        }
        request.flash("If \(email) has an account waiting for confirmation, a new link is on its way.")
        return .redirect(to: try request.url(for: "verify_email_sent"))
    }

    private static func validUser(_ request: Request) async throws -> User? {
        let id: Int64 = try request.parameter("id")
        let token = request.parameters["token"] ?? ""
        let tokens = try request.accountTokens
        guard let user = try await request.db.read({ db in try User.find(id, in: db) }), user.isActive,
              tokens.check(token, for: user, purpose: .emailVerification) else { return nil }
        return user
    }

    private static func invalid(_ request: Request) throws -> Response {
        try request.render("accounts/verify_invalid.html", status: .notFound)
    }
}
