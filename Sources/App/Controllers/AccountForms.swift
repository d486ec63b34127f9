import Croft

/// `POST /accounts/signup`.
struct SignupForm: Form {
    var email = ""
    var displayName = ""
    var password = ""
    var password2 = ""

    static let fields = [
        FormField("email", label: "Email", widget: .input(type: "email"), required: true, autocomplete: "email"),
        FormField("display_name", label: "Display name (optional)", autocomplete: "nickname"),
        FormField("password", label: "Password", widget: .input(type: "password"), required: true,
                  help: "At least 8 characters, not only digits.", autocomplete: "new-password"),
        FormField("password2", label: "Password again", widget: .input(type: "password"), required: true,
                  autocomplete: "new-password"),
    ]

    func cleaned() -> SignupForm {
        var form = self
        form.displayName = displayName.trimmingCharacters(in: .whitespaces)
        return form
    }

    /// The passwords must match; the rest is checked by `Accounts.signUp` (which also sees the database).
    func validate() -> [String: String] {
        password == password2 ? [:] : ["password2": "The two passwords do not match."]
    }
}

/// `POST /accounts/login`: checked by the login handler itself (one message for every failure).
struct LoginForm: Form {
    var email = ""
    var password = ""
    var next = ""

    static let fields = [
        FormField("email", label: "Email", widget: .input(type: "email"), required: true, autocomplete: "email"),
        FormField("password", label: "Password", widget: .input(type: "password"), required: true,
                  autocomplete: "current-password"),
    ]

    func cleaned() -> LoginForm {
        var form = self
        form.email = email.trimmingCharacters(in: .whitespaces)
        return form
    }

    func validate() -> [String: String] { [:] }
}

/// `POST /accounts/password`: the current password is verified by the handler (it needs the hasher).
struct PasswordForm: Form {
    var currentPassword = ""
    var newPassword = ""
    var newPassword2 = ""
    /// The account's email, which a new password must not repeat (not a field).
    var email = ""

    static let fields = [
        FormField("current_password", label: "Current password", widget: .input(type: "password"), required: true,
                  autocomplete: "current-password"),
    ] + SetPasswordForm.fields

    func validate() -> [String: String] {
        SetPasswordForm(newPassword: newPassword, newPassword2: newPassword2, email: email).validate()
    }
}

/// `POST /accounts/profile`.
struct ProfileForm: Form {
    /// The themes offered, as (value, label).
    static let themes = [("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")]

    var displayName = ""
    var theme = "system"

    static let fields = [FormField("display_name", label: "Display name", autocomplete: "nickname")]

    func cleaned() -> ProfileForm {
        var form = self
        form.displayName = displayName.trimmingCharacters(in: .whitespaces)
        if form.theme.isEmpty { form.theme = "system" }
        return form
    }

    func validate() -> [String: String] {
        var errors: [String: String] = [:]
        if let problem = TextRules.displayNameProblem(displayName) { errors["display_name"] = problem }
        if !Self.themes.contains(where: { $0.0 == theme }) { errors["theme"] = "Choose light, dark or system." }
        return errors
    }
}

/// An email address and nothing else: the password-reset request and the verification resend.
struct EmailAddressForm: Form {
    var email = ""

    static let fields = [
        FormField("email", label: "Email", widget: .input(type: "email"), required: true, autocomplete: "email"),
    ]

    func cleaned() -> EmailAddressForm {
        var form = self
        form.email = email.trimmingCharacters(in: .whitespaces)
        return form
    }

    func validate() -> [String: String] {
        Accounts.validateEmail(email).map { ["email": $0] } ?? [:]
    }
}

/// A new password, twice: `POST /accounts/password/reset/:id/set-password` (and the part of ``PasswordForm`` after
/// the current password).
struct SetPasswordForm: Form {
    var newPassword = ""
    var newPassword2 = ""
    /// The account's email, which a new password must not repeat (not a field).
    var email = ""

    static let fields = [
        FormField("new_password", label: "New password", widget: .input(type: "password"), required: true,
                  help: "At least 8 characters, not only digits.", autocomplete: "new-password"),
        FormField("new_password2", label: "New password again", widget: .input(type: "password"), required: true,
                  autocomplete: "new-password"),
    ]

    func validate() -> [String: String] {
        var errors: [String: String] = [:]
        if let problem = Accounts.validatePassword(newPassword, email: email) { errors["new_password"] = problem }
        if newPassword != newPassword2 { errors["new_password2"] = "The two passwords do not match." }
        return errors
    }
}

/// `POST /accounts/email`: the new address and the current password.
struct EmailChangeForm: Form {
    var email = ""
    var password = ""

    static let fields = [
        FormField("email", label: "New email address", widget: .input(type: "email"), required: true, autocomplete: "email"),
        FormField("password", label: "Current password", widget: .input(type: "password"), required: true,
                  autocomplete: "current-password"),
    ]

    func cleaned() -> EmailChangeForm {
        var form = self
        form.email = email.trimmingCharacters(in: .whitespaces)
        return form
    }

    func validate() -> [String: String] {
        Accounts.validateEmail(email).map { ["email": $0] } ?? [:]
    }
}
