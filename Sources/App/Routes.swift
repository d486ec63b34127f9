import Croft

extension Site {
    /// The site's URL map: one line per page, like Django's `urls.py`.
    static func registerRoutes(_ app: ApplicationBuilder) throws {
        let router = app.router
        try router.get("/", name: "home", HomeController.index)
        try router.get("/health", name: "health", HomeController.health)
        try app.serveStatic(prefix: "/static", directory: app.settings.publicDirectory)

        try router.group("/accounts") { accounts in
            try accounts.get("/signup", name: "signup", AccountController.signupForm)
            try accounts.post("/signup", AccountController.signup)
            try accounts.get("/login", name: "login", AccountController.loginForm)
            try accounts.post("/login", AccountController.login)
            try accounts.post("/logout", name: "logout", AccountController.logout)
            try accounts.get("/password/reset", name: "password_reset", PasswordResetController.form)
            try accounts.post("/password/reset", PasswordResetController.request)
            try accounts.get("/password/reset/done", name: "password_reset_done", PasswordResetController.done)
            try accounts.get("/password/reset/:id/:token", name: "password_reset_confirm", PasswordResetController.confirm)
            try accounts.post("/password/reset/:id/:token", PasswordResetController.setPassword)
            try accounts.get("/verify", name: "verify_email_sent", EmailVerificationController.sent)
            try accounts.post("/verify/resend", name: "verify_email_resend", EmailVerificationController.resend)
            try accounts.get("/verify/:id/:token", name: "verify_email", EmailVerificationController.confirmForm)
            try accounts.post("/verify/:id/:token", EmailVerificationController.confirm)
            try accounts.get("/invite/:token", name: "invitation", InvitationController.form)
            try accounts.post("/invite/:token", InvitationController.accept)
            try accounts.group("", middleware: [LoginRequired()]) { signedIn in
                try signedIn.get("/password", name: "password_change", AccountController.passwordForm)
                try signedIn.post("/password", AccountController.changePassword)
                try signedIn.get("/profile", name: "profile", AccountController.profileForm)
                try signedIn.post("/profile", AccountController.updateProfile)
                try signedIn.post("/email", name: "email_change", AccountController.changeEmail)
            }
        }

        try Staff.register(app)
        try registerNotesRoutes(app)
    }
}
