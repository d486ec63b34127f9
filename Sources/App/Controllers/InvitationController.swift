import Croft
import Foundation

/// Accepting a staff invitation: the invited address, a name and a password make an account that is
/// already verified (the link proved the address). Each invitation works once, until it expires, and not at
/// all with `SIGNUP=closed`.
enum InvitationController {
    @Sendable static func form(_ request: Request) async throws -> Response {
        guard let invitation = try await usable(request) else { return try invalid(request) }
        let form = InvitationForm(email: invitation.email)
        return try render(request, form: form, errors: [:], status: .ok)
    }

    @Sendable static func accept(_ request: Request) async throws -> Response {
        guard let invitation = try await usable(request), let invitationID = invitation.id else { return try invalid(request) }
        var form = try request.decodeForm(InvitationForm.self)
        form.email = invitation.email  // the invited address, whatever was posted
        var errors = form.validate()
        if errors.isEmpty {
            let created = try await Accounts.signUp(
                email: invitation.email, password: form.password, displayName: form.displayName, isStaff: invitation.makeStaff,
                settings: request.application.settings, db: request.db, verified: true, record: { user, db in
                    // Used once: the row is claimed in the transaction that makes the account, or nothing happens.
                    try db.execute("UPDATE invitations SET accepted_at = ?, accepted_user_id = ?, updated_at = ? WHERE id = ? AND accepted_at IS NULL",
                                   Date(), user.id, Date(), invitationID)
                    guard db.changes == 1 else { throw HTTPError(.notFound, message: "This invitation was already used.") }
                    // Staff rights come only from someone who still has them: an inviter demoted, deactivated or
                    // deleted since cannot hand them out through an old link.
                    if user.isStaff {
                        let inviter = try invitation.invitedBy.flatMap { try User.find($0, in: db) }
                        if inviter?.isStaff != true || inviter?.isActive != true {
                            try db.execute("UPDATE users SET is_staff = 0 WHERE id = ?", user.id)
                        }
                    }
                    try Audit.record(.invitationAccepted, actor: user, target: user.email, request: request,
                                     details: ["invitation": String(invitationID)], in: db)
                })
            switch created {
            case .created(let created):
                let user = try await request.db.read { db in try User.find(created.id ?? 0, in: db) } ?? created
                request.signIn(user)
                request.flash("Welcome, \(user.shownName)! Your account is ready.")
                return .redirect(to: try request.url(for: "notes"))
            case .invalid(let problems):
                errors = problems
            }
        }
        return try render(request, form: form, errors: errors, status: .unprocessableContent)
    }

    private static func render(_ request: Request, form: InvitationForm, errors: [String: String], status: HTTPStatus) throws -> Response {
        try request.render("accounts/invitation.html", [
            "form": try form.templateValue(errors: errors), "email": .string(form.email), "token": .string(request.parameters["token"] ?? ""),
        ], status: status)
    }

    private static func usable(_ request: Request) async throws -> Invitation? {
        guard request.application.settings.accounts.signup != .closed else { return nil }
        let token = request.parameters["token"] ?? ""
        return try await request.db.read { db in try Invitation.usable(token: token, in: db) }
    }

    private static func invalid(_ request: Request) throws -> Response {
        try request.render("accounts/invitation_invalid.html", status: .notFound)
    }
}

/// `POST /accounts/invite/:token`: the email is the invitation's (shown, not editable).
struct InvitationForm: Form {
    var email = ""
    var displayName = ""
    var password = ""
    var password2 = ""

    static let fields = [
        FormField("display_name", label: "Display name (optional)", autocomplete: "nickname"),
        FormField("password", label: "Password", widget: .input(type: "password"), required: true,
                  help: "At least 8 characters, not only digits.", autocomplete: "new-password"),
        FormField("password2", label: "Password again", widget: .input(type: "password"), required: true,
                  autocomplete: "new-password"),
    ]

    func cleaned() -> InvitationForm {
        var form = self
        form.displayName = displayName.trimmingCharacters(in: .whitespaces)
        return form
    }

    func validate() -> [String: String] {
        password == password2 ? [:] : ["password2": "The two passwords do not match."]
    }
}
