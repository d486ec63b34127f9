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
            try accounts.group("", middleware: [LoginRequired()]) { signedIn in
                try signedIn.get("/password", name: "password_change", AccountController.passwordForm)
                try signedIn.post("/password", AccountController.changePassword)
                try signedIn.get("/profile", name: "profile", AccountController.profileForm)
                try signedIn.post("/profile", AccountController.updateProfile)
            }
        }

        try router.group("/staff", middleware: [StaffRequired()]) { staff in
            try staff.get("/", name: "staff", StaffController.overview)
            try staff.get("/database", name: "staff.database", StaffController.database)
            try staff.post("/database/check", name: "staff.quick_check", StaffController.quickCheck)
            try staff.get("/users", name: "staff.users", StaffController.users)
            try staff.post("/users/:id", name: "staff.user", StaffController.updateUser)
            try staff.get("/jobs", name: "staff.jobs", StaffOperationsController.jobs)
            try staff.post("/jobs/:id/retry", name: "staff.job.retry", StaffOperationsController.retryJob)
            try staff.post("/jobs/:id/delete", name: "staff.job.delete", StaffOperationsController.deleteJob)
            try staff.get("/backups", name: "staff.backups", StaffOperationsController.backups)
            try staff.post("/backups", name: "staff.backup.create", StaffOperationsController.createBackup)
            try staff.get("/backups/:name", name: "staff.backup", StaffOperationsController.downloadBackup)
            try staff.post("/backups/:name/delete", name: "staff.backup.delete", StaffOperationsController.deleteBackup)
            try staff.post("/maintenance", name: "staff.maintenance", StaffOperationsController.maintenance)
        }
        try registerNotesRoutes(app)
    }
}
