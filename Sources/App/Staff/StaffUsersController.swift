import Croft
import Foundation

/// The user lifecycle for staff: invite, create, edit, activate or deactivate, make or remove staff, send a
/// reset link, delete (after a confirmation page). Every change is audited in its transaction, and none may
/// leave the site without an active staff account.
enum StaffUsersController {
    /// Whether `user` is the only active staff account: demoting, deactivating or deleting it would lock
    /// staff out. Asked inside the write transaction that makes the change, so two staff cannot race past it.
    static func isLastActiveStaff(_ user: User, in db: Connection) throws -> Bool {
        guard user.isStaff, user.isActive, let id = user.id else { return false }
        return try User.query().where("is_staff = 1 AND is_active = 1 AND id != ?", id).count(db) == 0
    }

    static let lastStaffMessage = "This is the last active staff account: make another account staff first."

    // MARK: Invite and create

    /// `POST /staff/users/invite`: an invitation by email (not with `SIGNUP=closed`).
    @Sendable static func invite(_ request: Request) async throws -> Response {
        let me = try request.requireUser()
        let settings = request.application.settings.accounts
        let fields = try request.formFields
        let email = (fields["email"] ?? "").trimmingCharacters(in: .whitespaces)
        let staff = fields["make_staff"] == "on"
        let back = try request.url(for: "staff.users")
        guard settings.signup != .closed else {
            request.flash("SIGNUP is closed: create the account instead of inviting.", level: "error")
            return .redirect(to: back)
        }
        if let problem = Accounts.validateEmail(email) {
            request.flash("\(problem) (\(email.isEmpty ? "nothing given" : email))", level: "error")
            return .redirect(to: back)
        }
        let outcome = try await request.db.write { db -> String? in
            if try User.find(email: email, in: db) != nil { return "\(email) already has an account." }
            var (invitation, token) = Invitation.make(email: email, invitedBy: me.id, makeStaff: staff, validFor: settings.invitationTimeout)
            try invitation.insert(db)
            try AccountEmails.queueInvitation(to: email, token: token, from: me, request: request, in: db)
            try Audit.record(.invitationSent, actor: me, target: email, request: request,
                             details: ["invitation": String(invitation.id ?? 0), "staff": staff ? "yes" : "no"], in: db)
            return nil
        }
        if let outcome {
            request.flash(outcome, level: "error")
        } else {
            request.flash("Invitation sent to \(email).")
        }
        return .redirect(to: back)
    }

    /// `POST /staff/invitations/:id/revoke`: a pending invitation's link stops working.
    @Sendable static func revokeInvitation(_ request: Request) async throws -> Response {
        let me = try request.requireUser()
        let id: Int64 = try request.parameter("id")
        let email = try await request.db.write { db -> String? in
            guard let invitation = try Invitation.find(id, in: db), invitation.acceptedAt == nil else { return nil }
            try db.execute("DELETE FROM invitations WHERE id = ? AND accepted_at IS NULL", id)
            try Audit.record(.invitationRevoked, actor: me, target: invitation.email, request: request,
                             details: ["invitation": String(id)], in: db)
            return invitation.email
        }
        guard let email else { throw HTTPError(.notFound, message: "No such pending invitation.") }
        request.flash("The invitation to \(email) was revoked.")
        return .redirect(to: try request.url(for: "staff.users"))
    }

    @Sendable static func newForm(_ request: Request) async throws -> Response {
        try StaffController.render(request, "staff/user_new.html", ["form": try StaffUserForm().templateValue()], section: "staff.users")
    }

    /// `POST /staff/users/new`: an account with no usable password; its owner gets a link to choose one.
    @Sendable static func create(_ request: Request) async throws -> Response {
        let me = try request.requireUser()
        let form = try request.decodeForm(StaffUserForm.self)
        let errors = form.validate()
        guard errors.isEmpty else {
            return try StaffController.render(request, "staff/user_new.html", ["form": try form.templateValue(errors: errors)],
                                              section: "staff.users", status: .unprocessableContent)
        }
        // A random password nobody knows (long enough to pass the rules); the emailed link replaces it.
        let unusable = (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 36) }.joined(separator: "-")
        let result = try await Accounts.signUp(
            email: form.email, password: unusable, displayName: form.displayName, isStaff: form.isStaff,
            settings: request.application.settings, db: request.db, record: { user, db in
                try Audit.record(.userCreated, actor: me, target: user.email, request: request,
                                 details: ["staff": user.isStaff ? "yes" : "no"], in: db)
                try AccountEmails.queuePasswordReset(for: user, request: request, in: db)
            })
        switch result {
        case .created(let user):
            request.flash("Account \(user.email) created; a link to choose a password is on its way to it.")
            return .redirect(to: try request.url(for: "staff.users"))
        case .invalid(let problems):
            return try StaffController.render(request, "staff/user_new.html", ["form": try form.templateValue(errors: problems)],
                                              section: "staff.users", status: .unprocessableContent)
        }
    }

    // MARK: Edit

    @Sendable static func editForm(_ request: Request) async throws -> Response {
        let user = try await find(request)
        let form = StaffUserForm(email: user.email, displayName: user.displayName, isStaff: user.isStaff, isActive: user.isActive)
        return try StaffController.render(request, "staff/user_edit.html", ["form": try form.templateValue(), "account": user.templateValue],
                                          section: "staff.users")
    }

    /// `POST /staff/users/:id/edit`: name, email, staff, active. A new email is unverified (and sent a link).
    @Sendable static func update(_ request: Request) async throws -> Response {
        let me = try request.requireUser()
        let original = try await find(request)
        let form = try request.decodeForm(StaffUserForm.self)
        var errors = form.validate()
        if original.id == me.id, !form.isStaff || !form.isActive {
            errors["is_staff"] = "You cannot remove your own staff rights or deactivate yourself."
        }
        func page(_ errors: [String: String]) throws -> Response {
            try StaffController.render(request, "staff/user_edit.html", ["form": try form.templateValue(errors: errors), "account": original.templateValue],
                                       section: "staff.users", status: .unprocessableContent)
        }
        guard errors.isEmpty else { return try page(errors) }
        let verification = request.application.settings.accounts.emailVerification
        guard let id = original.id else { throw HTTPError(.notFound, message: "No such user.") }
        do {
            let refused = try await request.db.write { db -> Bool in
                // The row as it is now, in this transaction: what the form changes is applied to it, and the
                // last-staff rule is asked of it, not of the copy read before the form was posted.
                guard let current = try User.find(id, in: db) else { throw HTTPError(.notFound, message: "No such user.") }
                if !form.isStaff || !form.isActive, try isLastActiveStaff(current, in: db) { return true }
                let emailChanged = form.email.lowercased() != current.email.lowercased()
                var columns: [String: (any DatabaseValueConvertible)?] = ["email": form.email, "display_name": form.displayName,
                                                                          "is_staff": form.isStaff, "is_active": form.isActive]
                if emailChanged { columns["email_verified_at"] = .some(nil) }
                guard let saved = try User.change(id, set: columns, in: db) else { throw HTTPError(.notFound, message: "No such user.") }
                var changes: [String: String] = [:]
                if emailChanged { changes["email"] = "\(current.email) → \(saved.email)" }
                if current.displayName != saved.displayName { changes["display_name"] = saved.displayName }
                if current.isStaff != saved.isStaff { changes["staff"] = saved.isStaff ? "yes" : "no" }
                if current.isActive != saved.isActive { changes["active"] = saved.isActive ? "yes" : "no" }
                let action: AuditAction = current.isActive == saved.isActive ? .userUpdated : (saved.isActive ? .userActivated : .userDeactivated)
                try Audit.record(action, actor: me, target: saved.email, request: request, details: changes, in: db)
                if emailChanged, verification != .none { try AccountEmails.queueVerification(for: saved, request: request, in: db) }
                return false
            }
            if refused { return try page(["is_staff": lastStaffMessage]) }
        } catch let error as SQLiteError where error.isUniqueConstraintViolation {
            return try page(["email": "An account with this email already exists."])
        }
        request.flash("\(form.email) saved.")
        return .redirect(to: try request.url(for: "staff.users"))
    }

    /// `POST /staff/users/:id/reset`: emails the account a password-reset link.
    @Sendable static func sendReset(_ request: Request) async throws -> Response {
        let me = try request.requireUser()
        let user = try await find(request)
        guard user.isActive else {
            request.flash("\(user.email) is deactivated: activate it first.", level: "error")
            return .redirect(to: try request.url(for: "staff.users"))
        }
        try await request.db.write { db in
            try AccountEmails.queuePasswordReset(for: user, request: request, in: db)
            try Audit.record(.passwordResetSent, actor: me, target: user.email, request: request, in: db)
        }
        request.flash("A password-reset link is on its way to \(user.email).")
        return .redirect(to: try request.url(for: "staff.users"))
    }

    // MARK: Delete

    /// `GET /staff/users/:id/delete`: what deleting the account takes with it, and the confirmation.
    @Sendable static func deleteForm(_ request: Request) async throws -> Response {
        let user = try await find(request)
        let notes = try await request.db.read { db in try Note.query().where("owner_id = ?", user.id).count(db) }
        return try StaffController.render(request, "staff/user_delete.html", ["account": user.templateValue, "notes": .int(notes)],
                                          section: "staff.users")
    }

    /// `POST /staff/users/:id/delete`, with `confirm` = the account's email. Its notes and sessions go with it
    /// (the schema's `ON DELETE CASCADE`); its audit events stay, with the email kept.
    @Sendable static func delete(_ request: Request) async throws -> Response {
        let me = try request.requireUser()
        let user = try await find(request)
        let back = try request.url(for: "staff.user.delete", user)
        guard user.id != me.id else {
            request.flash("You cannot delete your own account here.", level: "error")
            return .redirect(to: back)
        }
        guard (try request.formFields["confirm"] ?? "").lowercased() == user.email.lowercased() else {
            request.flash("Type the account's email to confirm deleting it.", level: "error")
            return .redirect(to: back)
        }
        let refused = try await request.db.write { db -> Bool in
            guard let current = try User.find(user.id ?? 0, in: db) else { throw HTTPError(.notFound, message: "No such user.") }
            if try isLastActiveStaff(current, in: db) { return true }
            let notes = try Note.query().where("owner_id = ?", user.id).count(db)
            try Audit.record(.userDeleted, actor: me, target: user.email, request: request,
                             details: ["id": String(user.id ?? 0), "notes": String(notes)], in: db)
            try db.execute("DELETE FROM users WHERE id = ?", user.id)
            return false
        }
        if refused {
            request.flash(lastStaffMessage, level: "error")
            return .redirect(to: back)
        }
        request.flash("\(user.email) deleted.")
        return .redirect(to: try request.url(for: "staff.users"))
    }

    private static func find(_ request: Request) async throws -> User {
        let id: Int64 = try request.parameter("id")
        guard let user = try await request.db.read({ db in try User.find(id, in: db) }) else {
            throw HTTPError(.notFound, message: "No such user.")
        }
        return user
    }
}

/// The staff form for an account: create (email, name, staff) and edit (also active).
struct StaffUserForm: Form {
    var email = ""
    var displayName = ""
    var isStaff = false
    var isActive = true

    static let fields = [
        FormField("email", label: "Email", widget: .input(type: "email"), required: true),
        FormField("display_name", label: "Display name"),
    ]

    func cleaned() -> StaffUserForm {
        var form = self
        form.email = email.trimmingCharacters(in: .whitespaces)
        form.displayName = displayName.trimmingCharacters(in: .whitespaces)
        return form
    }

    func validate() -> [String: String] {
        var errors: [String: String] = [:]
        if let problem = Accounts.validateEmail(email) { errors["email"] = problem }
        if let problem = TextRules.displayNameProblem(displayName) { errors["display_name"] = problem }
        return errors
    }
}
