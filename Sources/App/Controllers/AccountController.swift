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
        let email = form["email", default: ""], displayName = form["display_name", default: ""]
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
            signIn(user, request)
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
        let db = try request.db
        if try await db.read({ db in try throttle.isLockedOut(email: email, address: address, in: db) }) {
            return try request.render("accounts/login.html", [
                "values": values,
                "error": "Too many failed attempts for this account. Try again in 15 minutes, or ask staff to reset it.",
            ], status: .tooManyRequests)
        }
        let hasher = Accounts.hasher(settings)
        let found = try await db.read { db in try User.find(email: email, in: db) }
        // Verify even for an unknown email, so timing does not reveal which accounts exist.
        let valid = try await hasher.verifyInBackground(
            password, against: found?.passwordHash ?? Self.decoyHash(iterations: hasher.iterations))
        guard var user = found, valid, user.isActive else {
            try await db.write { db in try throttle.recordFailure(email: email, address: address, in: db) }
            return try request.render("accounts/login.html", [
                "values": values, "error": "Email or password is incorrect.",
            ], status: .unprocessableContent)
        }
        let newHash = hasher.needsRehash(user.passwordHash) ? try await hasher.hashInBackground(password) : nil
        user = try await db.write { [user] db in
            var user = user
            if let newHash { user.passwordHash = newHash }
            user.lastLoginAt = Date()
            try user.update(db)
            try throttle.reset(email: user.email, in: db)
            return user
        }
        signIn(user, request)
        request.flash("Welcome back, \(user.shownName).")
        return .redirect(to: Request.safeRedirectTarget(next, fallback: "/notes"))
    }

    /// A well-formed hash that matches no password, verified against when the email is unknown.
    static func decoyHash(iterations: Int) -> String {
        "pbkdf2_sha256$\(iterations)$decoysaltdecoysalt12$" + String(repeating: "A", count: 43) + "="
    }

    static func signIn(_ user: User, _ request: Request) {
        request.session?.rotate()  // a new id on every privilege change: no session fixation
        request.session?["user_id"] = String(user.id ?? 0)
    }

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
        try await request.db.write { [user] db in
            var user = user
            user.passwordHash = hash
            try user.update(db)
        }
        request.session?.rotate()
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
        if displayName.count > 80 { errors["display_name"] = "Keep it under 80 characters." }
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

extension TemplateValue {
    /// A dictionary of strings as a template value.
    init(_ strings: [String: String]) {
        self = .dictionary(strings.mapValues { .string($0) })
    }
}
