import Croft
import Foundation

/// "Forgot your password?": a link by email that sets a new one, Django's flow.
///
/// The request page answers the same, in the same way, whether or not the address has an account: both
/// paths look the address up and write one audit event in one transaction; only for an active account is a
/// message queued in it too. The link carries an ``AccountTokens`` token; opening it moves the token into
/// the session and redirects to a URL without it (Django's `set-password` step), so it does not leak in a
/// `Referer`. Setting the password signs out every other session (``SessionAuthHash``) and clears the
/// sign-in lock-out.
enum PasswordResetController {
    /// The session key holding the token between opening the link and posting the new password.
    static let sessionKey = "password_reset_token"
    /// The URL segment that stands for the token once it is in the session.
    static let setPasswordSegment = "set-password"

    @Sendable static func form(_ request: Request) async throws -> Response {
        try request.render("accounts/password_reset.html", ["form": try EmailAddressForm().templateValue()])
    }

    @Sendable static func request(_ request: Request) async throws -> Response {
        let form = try request.decodeForm(EmailAddressForm.self)
        let errors = form.validate()
        guard errors.isEmpty else {
            return try request.render("accounts/password_reset.html", ["form": try form.templateValue(errors: errors)],
                                      status: .unprocessableContent)
        }
        let limit = request.application.settings.accounts.passwordResetEmailLimit
        let email = form.email
        try await request.db.write { db in
            let user = try User.find(email: email, in: db)
            let recent = try Audit.count(.passwordResetRequested, target: email.lowercased(), since: Date().addingTimeInterval(-3600), sentOnly: true, in: db)
            var sent = false
            if let user, user.isActive, recent < limit {
                try AccountEmails.queuePasswordReset(for: user, request: request, in: db)
                sent = true
            }
            try Audit.record(.passwordResetRequested, actor: nil, actorEmail: email, target: email.lowercased(), request: request,
                             details: ["sent": sent ? "yes" : "no", "account": user == nil ? "none" : (user!.isActive ? "active" : "inactive")],
                             in: db)
        }
        return .redirect(to: try request.url(for: "password_reset_done"))
    }

    @Sendable static func done(_ request: Request) async throws -> Response {
        try request.render("accounts/password_reset_done.html")
    }

    /// `GET /accounts/password/reset/:id/:token`: checks the link, then shows the form without the token in the URL.
    @Sendable static func confirm(_ request: Request) async throws -> Response {
        let id: Int64 = try request.parameter("id")
        let token = request.parameters["token"] ?? ""
        if token != setPasswordSegment {
            guard let user = try await validUser(id: id, token: token, request: request) else { return try invalid(request) }
            request.session?[sessionKey] = token
            return .redirect(to: try request.url(for: "password_reset_confirm", ["id": String(user.id ?? 0), "token": setPasswordSegment]))
        }
        guard try await validUser(id: id, token: request.session?[sessionKey] ?? "", request: request) != nil else {
            return try invalid(request)
        }
        return try request.render("accounts/password_reset_confirm.html", ["form": try SetPasswordForm().templateValue(),
                                                                            "id": .int(Int(id))])
    }

    /// `POST /accounts/password/reset/:id/set-password`.
    @Sendable static func setPassword(_ request: Request) async throws -> Response {
        let id: Int64 = try request.parameter("id")
        guard request.parameters["token"] == setPasswordSegment,
              let user = try await validUser(id: id, token: request.session?[sessionKey] ?? "", request: request) else {
            return try invalid(request)
        }
        var form = try request.decodeForm(SetPasswordForm.self)
        form.email = user.email
        let errors = form.validate()
        guard errors.isEmpty else {
            return try request.render("accounts/password_reset_confirm.html", ["form": try form.templateValue(errors: errors), "id": .int(Int(id))],
                                      status: .unprocessableContent)
        }
        let newHash = try await Accounts.hasher(request.application.settings).hashInBackground(form.newPassword)
        // Only while the password is the one the token signed (two tabs of one link: the second finds it spent),
        // and only the columns this changes. The link came to this address: following it proves the address too.
        let saved = try await request.db.write { [user] db -> User? in
            guard let saved = try User.change(id, set: ["password_hash": newHash, "email_verified_at": user.emailVerifiedAt ?? Date()],
                                              ifPasswordHash: user.passwordHash, in: db) else { return nil }
            try AccountController.throttle.reset(email: saved.email, in: db)
            try Audit.record(.passwordReset, actor: saved, target: saved.email, request: request, in: db)
            return saved
        }
        guard saved != nil else { return try invalid(request) }
        // The token is spent (the hash it signed changed); this browser's session is not signed in by it.
        request.session?[sessionKey] = nil
        request.flash("Your password was set. Sign in with it now.")
        return .redirect(to: try request.url(for: "login"))
    }

    /// The account a link names, if the token is good for it now.
    private static func validUser(id: Int64, token: String, request: Request) async throws -> User? {
        let tokens = try request.accountTokens
        guard !token.isEmpty, let user = try await request.db.read({ db in try User.find(id, in: db) }), user.isActive,
              tokens.check(token, for: user, purpose: .passwordReset) else { return nil }
        return user
    }

    private static func invalid(_ request: Request) throws -> Response {
        request.session?[sessionKey] = nil
        return try request.render("accounts/password_reset_invalid.html", status: .notFound)
    }
}
