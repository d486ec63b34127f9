import Croft
import Foundation

/// Sign up, log in, log out, change password, profile.
enum AccountController {
    static let throttle = LoginThrottle()

    // MARK: Sign up

    @Sendable static func signupForm(_ request: Request) async throws -> Response {
        if request.user != nil { return .redirect(to: "/") }
        return try request.render("accounts/signup.html", ["values": [:], "errors": [:]])
    }

    @Sendable static func signup(_ request: Request) async throws -> Response {
        let form = try request.formFields
        let email = form["email", default: ""]
        let displayName = form["display_name", default: ""].trimmingCharacters(in: .whitespaces)
        let values: TemplateValue = ["email": .string(email), "display_name": .string(displayName)]
        if form["password", default: ""] != form["password2", default: ""] {
            return try request.render("accounts/signup.html",
                                      ["values": values, "errors": ["password2": "The two passwords do not match."]],
                                      status: .unprocessableContent)
        }
        let result = try await Accounts.signUp(email: email, password: form["password", default: ""],
                                               displayName: displayName, settings: request.application.settings,
                                               db: request.db)
        switch result {
        case .invalid(let errors):
            return try request.render("accounts/signup.html", ["values": values, "errors": .init(errors)],
                                      status: .unprocessableContent)
        case .created(let user):
            request.signIn(user)
            request.flash("Welcome, \(user.shownName)! Your account is ready.")
            return .redirect(to: "/notes")
        }
    }

    // MARK: Log in and out

    @Sendable static func loginForm(_ request: Request) async throws -> Response {
        if request.user != nil { return .redirect(to: Request.safeRedirectTarget(request.query["next"])) }
        return try request.render("accounts/login.html", ["values": ["next": .string(request.query["next"] ?? "")]])
    }

    @Sendable static func login(_ request: Request) async throws -> Response {
        let form = try request.formFields
        let email = form["email", default: ""].trimmingCharacters(in: .whitespaces)
        let password = form["password", default: ""]
        let next = form["next", default: ""]
        let settings = request.application.settings
        let address = request.clientAddress(trustedProxies: settings.trustedProxies)
        let values: TemplateValue = ["email": .string(email), "next": .string(next)]
        func refused() throws -> Response {
            try request.render("accounts/login.html", [
                "values": values, "error": "Email or password is incorrect.",
            ], status: .unprocessableContent)
        }
        // No account has a longer address: refused before the database, the throttle or the hasher see it.
        guard Accounts.validateEmail(email) == nil else { return try refused() }
        let db = try request.db
        // The lock-out is checked and this attempt counted in one write, before verifying.
        guard let attempt = try await db.write({ db in try throttle.beginAttempt(email: email, address: address, in: db) })
        else {
            return try request.render("accounts/login.html", [
                "values": values,
                "error": "Too many failed attempts for this account. Try again in 15 minutes, or ask staff to reset it.",
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
        guard var user = found, valid, user.isActive else { return try refused() }
        let newHash = hasher.needsRehash(user.passwordHash) ? try await hasher.hashInBackground(password) : nil
        user = try await db.write { [user] db in
            var user = user
            if let newHash { user.passwordHash = newHash }
            user.lastLoginAt = Date()
            try user.update(db)
            try throttle.reset(email: user.email, in: db)
            return user
        }
        request.signIn(user)
        request.flash("Welcome back, \(user.shownName).")
        return .redirect(to: Request.safeRedirectTarget(next, fallback: "/notes"))
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
        request.session?.destroy()
        return .redirect(to: "/")
    }

    // MARK: Password and profile

    @Sendable static func passwordForm(_ request: Request) async throws -> Response {
        try request.render("accounts/password.html", ["errors": [:]])
    }

    @Sendable static func changePassword(_ request: Request) async throws -> Response {
        let user = try request.requireUser()
        let form = try request.formFields
        let hasher = Accounts.hasher(request.application.settings)
        var errors: [String: String] = [:]
        if try await !hasher.verifyInBackground(form["current_password", default: ""], against: user.passwordHash) {
            errors["current_password"] = "Your current password is not correct."
        }
        let new = form["new_password", default: ""]
        if let problem = Accounts.validatePassword(new, email: user.email) { errors["new_password"] = problem }
        if new != form["new_password2", default: ""] { errors["new_password2"] = "The two passwords do not match." }
        guard errors.isEmpty else {
            return try request.render("accounts/password.html", ["errors": .init(errors)], status: .unprocessableContent)
        }
        let hash = try await hasher.hashInBackground(new)
        let updated = try await request.db.write { [user] db in
            var user = user
            user.passwordHash = hash
            try user.update(db)
            return user
        }
        // This session stays signed in with the new hash; every other session of the user is signed out.
        request.signIn(updated)
        request.flash("Your password was changed.")
        return .redirect(to: "/accounts/profile")
    }

    static let themes: TemplateValue = [["system", "Follow the system"], ["light", "Light"], ["dark", "Dark"]]

    @Sendable static func profileForm(_ request: Request) async throws -> Response {
        let user = try request.requireUser()
        return try request.render("accounts/profile.html", [
            "values": ["display_name": .string(user.displayName), "theme": .string(user.theme)], "errors": [:],
            "themes": themes,
        ])
    }

    @Sendable static func updateProfile(_ request: Request) async throws -> Response {
        let user = try request.requireUser()
        let form = try request.formFields
        let displayName = form["display_name", default: ""].trimmingCharacters(in: .whitespaces)
        let theme = form["theme", default: "system"]
        var errors: [String: String] = [:]
        if let problem = TextRules.displayNameProblem(displayName) { errors["display_name"] = problem }
        if !["light", "dark", "system"].contains(theme) { errors["theme"] = "Choose light, dark or system." }
        guard errors.isEmpty else {
            return try request.render("accounts/profile.html", [
                "values": ["display_name": .string(displayName), "theme": .string(theme)], "errors": .init(errors),
                "themes": themes,
            ], status: .unprocessableContent)
        }
        try await request.db.write { [user] db in
            var user = user
            user.displayName = displayName
            user.theme = theme
            try user.update(db)
        }
        request.flash("Your profile was saved.")
        return .redirect(to: "/accounts/profile")
    }
}

