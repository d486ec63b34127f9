import Croft
import Foundation

/// Sign up, log in, log out, change password, profile.
enum AccountController {
    static let throttle = LoginThrottle()

    // MARK: Sign up

    /// The page shown instead of the sign-up form when `SIGNUP` is `invite` or `closed`.
    static func signupClosed(_ request: Request) throws -> Response? {
        let mode = request.application.settings.accounts.signup
        guard mode != .open else { return nil }
        return try request.render("accounts/signup_closed.html", ["mode": .string(mode.rawValue)], status: .forbidden)
    }

    @Sendable static func signupForm(_ request: Request) async throws -> Response {
        if request.user != nil { return .redirect(to: try request.url(for: "home")) }
        if let closed = try signupClosed(request) { return closed }
        return try request.render("accounts/signup.html", ["form": try SignupForm().templateValue()])
    }

    @Sendable static func signup(_ request: Request) async throws -> Response {
        if let closed = try signupClosed(request) { return closed }
        let form = try request.decodeForm(SignupForm.self)
        let verification = request.application.settings.accounts.emailVerification
        var errors = form.validate()
        if errors.isEmpty {
            switch try await Accounts.signUp(email: form.email, password: form.password, displayName: form.displayName,
                                             settings: request.application.settings, db: request.db, record: { user, db in
                                                 try Audit.record(.signup, actor: user, target: user.email, request: request, in: db)
                                                 if verification != .none { try AccountEmails.queueVerification(for: user, request: request, in: db) }
                                             }) {
            case .invalid(let problems):
                errors = problems
            case .created(let user) where verification == .mandatory:
                request.flash("Almost there: we sent a link to \(user.email). Follow it to confirm the address, then log in.")
                return .redirect(to: try request.url(for: "verify_email_sent"))
            case .created(let user):
                request.signIn(user)
                request.flash("Welcome, \(user.shownName)! Your account is ready.")
                return .redirect(to: try request.url(for: "notes"))
            }
        }
        return try request.render("accounts/signup.html", ["form": try form.templateValue(errors: errors)],
                                  status: .unprocessableContent)
    }

    // MARK: Log in and out

    @Sendable static func loginForm(_ request: Request) async throws -> Response {
        if request.user != nil { return .redirect(to: Request.safeRedirectTarget(request.query["next"])) }
        return try request.render("accounts/login.html", ["form": try LoginForm(next: request.query["next"] ?? "").templateValue()])
    }

    @Sendable static func login(_ request: Request) async throws -> Response {
        let form = try request.decodeForm(LoginForm.self)
        let (email, password, next) = (form.email, form.password, form.next)
        let settings = request.application.settings
        let address = request.clientAddress(trustedProxies: settings.trustedProxies)
        func refused() throws -> Response {
            try request.render("accounts/login.html", [
                "form": try form.templateValue(), "error": "Email or password is incorrect.",
            ], status: .unprocessableContent)
        }
        // No account has a longer address: refused before the database, the throttle or the hasher see it.
        guard Accounts.validateEmail(email) == nil else { return try refused() }
        let db = try request.db
        // The lock-out is checked and this attempt counted in one write, before verifying.
        guard let attempt = try await db.write({ db -> Int64? in
            let attempt = try throttle.beginAttempt(email: email, address: address, in: db)
            if attempt == nil {
                try Audit.record(.lockedOut, actor: nil, actorEmail: email, target: email.lowercased(), request: request, in: db)
            }
            return attempt
        })
        else {
            return try request.render("accounts/login.html", [
                "form": try form.templateValue(),
                "error": "Too many failed attempts for this account. Try again in 15 minutes, or reset your password.",
            ], status: .tooManyRequests)
        }
        let hasher = Accounts.hasher(settings)
        let valid: Bool
        let found: User?
        do {
            found = try await db.read { db in try User.find(email: email, in: db) }
            // Verify even for an unknown email, at the cost of the dearest stored hash, so neither the answer
            // nor its timing tells which accounts exist.
            let decoy = found == nil ? try await decoyHash(iterations: hasher.iterations, db: db) : nil
            do {
                valid = try await hasher.verifyInBackground(password, against: found?.passwordHash ?? decoy ?? "")
            } catch is PasswordHasher.HashError {
                valid = false  // a stored hash we cannot use never signs anyone in
            }
        } catch {
            // Not checked (the hashing gate was full: a 503, or the database failed): not a wrong password,
            // so not a failure against the account.
            try? await db.write { db in try throttle.withdraw(attempt: attempt, in: db) }
            throw error
        }
        if let unverified = found, valid, unverified.isActive, unverified.emailVerifiedAt == nil,
           settings.accounts.emailVerification == .mandatory {
            try await db.write { db in
                try throttle.reset(email: email, in: db)
                try Audit.record(.loginFailed, actor: nil, actorEmail: email, target: email.lowercased(), request: request,
                                 details: ["reason": "email not verified"], in: db)
            }
            return try request.render("accounts/login.html", [
                "form": try form.templateValue(), "unverified": .bool(true),
                "error": "Confirm your email address first: follow the link we sent to \(email).",
            ], status: .forbidden)
        }
        guard let user = found, valid, user.isActive, let userID = user.id else {
            try await db.write { db in
                try Audit.record(.loginFailed, actor: nil, actorEmail: email, target: email.lowercased(), request: request,
                                 details: ["reason": found == nil ? "unknown email" : (valid ? "inactive" : "wrong password")], in: db)
            }
            return try refused()
        }
        let newHash = hasher.needsRehash(user.passwordHash) ? try await hasher.hashInBackground(password) : nil
        let verifiedHash = user.passwordHash
        // Only the sign-in's columns, and only while the password is the one just checked: a reset or a
        // deactivation that landed during the hashing is not undone, and this sign-in then fails.
        let signedIn = try await db.write { db -> User? in
            var columns: [String: (any DatabaseValueConvertible)?] = ["last_login_at": Date()]
            if let newHash { columns["password_hash"] = newHash }
            guard let saved = try User.change(userID, set: columns, ifPasswordHash: verifiedHash, in: db), saved.isActive else { return nil }
            try throttle.reset(email: saved.email, in: db)
            try Audit.record(.login, actor: saved, target: saved.email, request: request, in: db)
            return saved
        }
        guard let signedIn else { return try refused() }
        request.signIn(signedIn)
        request.flash("Welcome back, \(signedIn.shownName).")
        return .redirect(to: Request.safeRedirectTarget(next, fallback: try request.url(for: "notes")))
    }

    /// A well-formed hash that matches no password, verified against when the email is unknown; with as many
    /// iterations as the dearest stored hash (an imported Django account may have more than
    /// `PASSWORD_ITERATIONS`), so an unknown email costs as much as a known one.
    static func decoyHash(iterations: Int, db: DatabasePool) async throws -> String {
        let rounds = max(iterations, try await decoyIterations.value(db: db))
        return "pbkdf2_sha256$\(rounds)$decoysaltdecoysalt12$" + String(repeating: "A", count: 43) + "="
    }

    static let decoyIterations = StoredIterations()

    @Sendable static func logout(_ request: Request) async throws -> Response {
        if let user = request.user {
            try await request.db.write { db in try Audit.record(.logout, actor: user, target: user.email, request: request, in: db) }
        }
        request.session?.destroy()
        return .redirect(to: try request.url(for: "home"))
    }

    // MARK: Password and profile

    @Sendable static func passwordForm(_ request: Request) async throws -> Response {
        try request.render("accounts/password.html", ["form": try PasswordForm().templateValue()])
    }

    @Sendable static func changePassword(_ request: Request) async throws -> Response {
        let user = try request.requireUser()
        var form = try request.decodeForm(PasswordForm.self)
        form.email = user.email
        let hasher = Accounts.hasher(request.application.settings)
        var errors = form.validate()
        if try await !verifyCurrentPassword(form.currentPassword, of: user, request: request) {
            errors["current_password"] = "Your current password is not correct."
        }
        guard errors.isEmpty else {
            return try request.render("accounts/password.html", ["form": try form.templateValue(errors: errors)],
                                      status: .unprocessableContent)
        }
        let newHash = try await hasher.hashInBackground(form.newPassword)
        let updated = try await request.db.write { [user] db -> User in
            // Only if the password is still the one just checked (a reset meanwhile wins).
            guard let saved = try User.change(user.id ?? 0, set: ["password_hash": newHash], ifPasswordHash: user.passwordHash, in: db) else {
                throw HTTPError(.conflict, message: "Your password was changed elsewhere meanwhile. Sign in again.")
            }
            try Audit.record(.passwordChanged, actor: saved, target: saved.email, request: request, in: db)
            return saved
        }
        // This session stays signed in with the new hash; every other session of the user is signed out.
        request.signIn(updated)
        request.flash("Your password was changed.")
        return .redirect(to: try request.url(for: "profile"))
    }

    /// Checks the current password of a signed-in account before a change it guards, counted by the sign-in
    /// lock-out: a stolen session cannot guess the password here faster than at the log-in page.
    static func verifyCurrentPassword(_ password: String, of user: User, request: Request) async throws -> Bool {
        let address = request.clientAddress(trustedProxies: request.application.settings.trustedProxies)
        let db = try request.db
        guard let attempt = try await db.write({ db in try throttle.beginAttempt(email: user.email, address: address, in: db) }) else {
            throw HTTPError(.tooManyRequests, message: "Too many wrong passwords for this account. Try again in 15 minutes.")
        }
        let valid = try await Accounts.hasher(request.application.settings).verifyInBackground(password, against: user.passwordHash)
        if valid { try await db.write { db in try throttle.withdraw(attempt: attempt, in: db) } }
        return valid
    }

    /// `POST /accounts/email`: a new address, confirmed with the current password; it is unverified until
    /// its link is followed (and with `ACCOUNT_EMAIL_VERIFICATION=mandatory` the next sign-in waits for that).
    @Sendable static func changeEmail(_ request: Request) async throws -> Response {
        let user = try request.requireUser()
        let form = try request.decodeForm(EmailChangeForm.self)
        var errors = form.validate()
        if form.email.lowercased() == user.email.lowercased() { errors["email"] = "That is already your address." }
        if try await !verifyCurrentPassword(form.password, of: user, request: request) {
            errors["password"] = "Your password is not correct."
        }
        func page(_ errors: [String: String]) throws -> Response {
            let profile = ProfileForm(displayName: user.displayName, theme: user.theme)
            return try request.render("accounts/profile.html", [
                "form": try profile.templateValue(), "themes": themes, "email_form": try form.templateValue(errors: errors),
            ], status: .unprocessableContent)
        }
        guard errors.isEmpty else { return try page(errors) }
        let previous = user.email
        let email = form.email
        let verification = request.application.settings.accounts.emailVerification
        do {
            _ = try await request.db.write { [user] db -> User in
                // Only while the password is the one just checked.
                guard let saved = try User.change(user.id ?? 0, set: ["email": email, "email_verified_at": nil],
                                                  ifPasswordHash: user.passwordHash, in: db) else {
                    throw HTTPError(.conflict, message: "Your password was changed elsewhere meanwhile. Sign in again.")
                }
                try Audit.record(.emailChanged, actor: saved, target: saved.email, request: request,
                                 details: ["from": previous, "to": saved.email], in: db)
                if verification != .none { try AccountEmails.queueVerification(for: saved, request: request, in: db) }
                return saved
            }
        } catch let error as SQLiteError where error.isUniqueConstraintViolation {
            return try page(["email": "An account with this email already exists."])
        }
        request.flash(verification == .none ? "Your email address is now \(email)."
                      : "Your email address is now \(email). We sent it a link to confirm it.")
        return .redirect(to: try request.url(for: "profile"))
    }

    static let themes = TemplateValue.array(ProfileForm.themes.map { [.string($0.0), .string($0.1)] })

    @Sendable static func profileForm(_ request: Request) async throws -> Response {
        let user = try request.requireUser()
        let form = ProfileForm(displayName: user.displayName, theme: user.theme)
        return try request.render("accounts/profile.html", ["form": try form.templateValue(), "themes": themes,
                                                             "email_form": try EmailChangeForm().templateValue()])
    }

    @Sendable static func updateProfile(_ request: Request) async throws -> Response {
        let user = try request.requireUser()
        let form = try request.decodeForm(ProfileForm.self)
        let errors = form.validate()
        guard errors.isEmpty else {
            return try request.render("accounts/profile.html", ["form": try form.templateValue(errors: errors), "themes": themes,
                                                                 "email_form": try EmailChangeForm().templateValue()],
                                      status: .unprocessableContent)
        }
        let (displayName, theme) = (form.displayName, form.theme)
        _ = try await request.db.write { [user] db -> User in
            guard let saved = try User.change(user.id ?? 0, set: ["display_name": displayName, "theme": theme], in: db) else {
                throw HTTPError(.notFound, message: "This account no longer exists.")
            }
            try Audit.record(.profileChanged, actor: saved, target: saved.email, request: request,
                             details: ["display_name": saved.displayName, "theme": saved.theme], in: db)
            return saved
        }
        request.flash("Your profile was saved.")
        return .redirect(to: try request.url(for: "profile"))
    }
}
