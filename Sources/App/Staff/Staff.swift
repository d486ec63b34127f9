import Croft

/// The staff area and the site's operations pages, wired in one call from `Routes.swift`, so the rest of
/// `Sources/App` is the site itself.
///
/// Everything under `/staff/` is for staff accounts only (a signed-out visitor is sent to log in; a
/// signed-in account without staff rights gets a 404, which does not reveal the area): the overview,
/// users, database, backups, the job queue and maintenance mode.
enum Staff {
    /// The sections of the staff navigation: route name and label, in order.
    static let sections = [("staff", "Overview"), ("staff.users", "Users"), ("staff.database", "Database"),
                           ("staff.backups", "Backups"), ("staff.jobs", "Jobs"), ("staff.audit", "Audit log")]

    /// Registers every staff route on `app`.
    static func register(_ app: ApplicationBuilder) throws {
        // One queue for every staff request (opening one creates its table: not a per-request write).
        let queue = try app.database.map { try JobQueue(database: $0) }
        let jobs = { (handler: @escaping @Sendable (Request, JobQueue) async throws -> Response) -> Handler in
            { request in
                guard let queue else { throw HTTPError(.internalServerError, message: "This application has no database configured.") }
                return try await handler(request, queue)
            }
        }
        try app.router.group("/staff", middleware: [StaffRequired()]) { staff in
            try staff.get("/", name: "staff", StaffController.overview)
            try staff.get("/database", name: "staff.database", StaffController.database)
            try staff.post("/database/check", name: "staff.quick_check", StaffController.quickCheck)
            try staff.get("/users", name: "staff.users", StaffController.users)
            try staff.post("/users/invite", name: "staff.user.invite", StaffUsersController.invite)
            try staff.post("/invitations/:id/revoke", name: "staff.invitation.revoke", StaffUsersController.revokeInvitation)
            try staff.get("/users/new", name: "staff.user.new", StaffUsersController.newForm)
            try staff.post("/users/new", StaffUsersController.create)
            try staff.post("/users/:id", name: "staff.user", StaffController.updateUser)
            try staff.get("/users/:id/edit", name: "staff.user.edit", StaffUsersController.editForm)
            try staff.post("/users/:id/edit", StaffUsersController.update)
            try staff.post("/users/:id/reset", name: "staff.user.reset", StaffUsersController.sendReset)
            try staff.get("/users/:id/delete", name: "staff.user.delete", StaffUsersController.deleteForm)
            try staff.post("/users/:id/delete", StaffUsersController.delete)
            try staff.get("/jobs", name: "staff.jobs", jobs(StaffOperationsController.jobs))
            try staff.post("/jobs/:id/retry", name: "staff.job.retry", StaffOperationsController.retryJob)
            try staff.post("/jobs/:id/delete", name: "staff.job.delete", StaffOperationsController.deleteJob)
            try staff.get("/backups", name: "staff.backups", StaffOperationsController.backups)
            try staff.post("/backups", name: "staff.backup.create", StaffOperationsController.createBackup)
            try staff.get("/backups/:name", name: "staff.backup", StaffOperationsController.downloadBackup)
            try staff.post("/backups/:name/delete", name: "staff.backup.delete", StaffOperationsController.deleteBackup)
            try staff.post("/maintenance", name: "staff.maintenance", StaffOperationsController.maintenance)
            try staff.get("/audit", name: "staff.audit", StaffAuditController.events)
        }
    }
}
