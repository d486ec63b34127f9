import Croft
import Foundation

/// `/staff/jobs/` and `/staff/backups/`: the background queue and the backups, with their actions.
enum StaffOperationsController {
    static func formatDate(_ date: Date) -> String { date.ISO8601Format() }

    // MARK: Jobs

    @Sendable static func jobs(_ request: Request, queue: JobQueue) async throws -> Response {
        let counts = try await queue.counts()
        let failed = try await queue.jobs(in: .failed)
        let queued = try await queue.jobs(in: .queued, limit: 50)
        func rows(_ records: [JobRecord]) -> TemplateValue {
            .array(records.map { job in
                ["id": .int(Int(job.id)), "name": .string(job.name), "attempts": .int(job.attempts),
                 "max_attempts": .int(job.maxAttempts), "run_at": .string(formatDate(job.runAt)),
                 "error": .string(job.lastError ?? ""), "priority": .int(job.priority)]
            })
        }
        return try StaffController.render(request, "staff/jobs.html", [
            "counts": ["queued": .int(counts.queued), "due": .int(counts.due), "running": .int(counts.running),
                       "done": .int(counts.done), "failed": .int(counts.failed)],
            "failed": rows(failed), "queued": rows(queued),
        ], section: "staff.jobs")
    }

    /// `POST /staff/jobs/:id/retry`.
    @Sendable static func retryJob(_ request: Request) async throws -> Response {
        let id: Int64 = try request.parameter("id")
        let user = request.user
        try await request.db.write { db in  // JobError.noSuchJob is a 404
            try JobQueue.retry(id: id, in: db)
            try Audit.record(.jobRetried, actor: user, target: "job:\(id)", request: request, in: db)
        }
        request.flash("Job \(id) is queued again.")
        return .redirect(to: try request.url(for: "staff.jobs"))
    }

    /// `POST /staff/jobs/:id/delete`.
    @Sendable static func deleteJob(_ request: Request) async throws -> Response {
        let id: Int64 = try request.parameter("id")
        let user = request.user
        try await request.db.write { db in
            try JobQueue.delete(id: id, in: db)
            try Audit.record(.jobDeleted, actor: user, target: "job:\(id)", request: request, in: db)
        }
        request.flash("Job \(id) deleted.")
        return .redirect(to: try request.url(for: "staff.jobs"))
    }

    /// Records a staff action that is not a change to this database (a backup file, maintenance mode's flag file).
    static func audit(_ request: Request, _ action: AuditAction, target: String, details: [String: String] = [:]) async throws {
        let user = request.user
        try await request.db.write { db in try Audit.record(action, actor: user, target: target, request: request, details: details, in: db) }
    }

    // MARK: Backups

    @Sendable static func backups(_ request: Request) async throws -> Response {
        let settings = request.application.settings
        let database = try request.db
        let list = try await Site.runBlocking { try Site.backupStore(settings).list() }
        let findings = await Task.detached { Site.doctor(settings).run(database: database) }.value
        return try StaffController.render(request, "staff/backups.html", [
            "backups": .array(list.map { backup in
                ["name": .string(backup.name), "size": .string(StaffDatabaseFacts.bytes(backup.size)),
                 "created": .string(formatDate(backup.createdAt))]
            }),
            "findings": .array(findings.filter { $0.severity != .ok }.map { finding in
                ["check": .string(finding.check), "severity": .string(finding.severity.rawValue),
                 "message": .string(finding.message), "fix": .string(finding.fix)]
            }),
            "maintenance": .bool(Site.maintenanceMode(settings).isOn),
        ], section: "staff.backups")
    }

    /// `POST /staff/backups/`: an online, verified backup now (off the cooperative pool).
    @Sendable static func createBackup(_ request: Request) async throws -> Response {
        let settings = request.application.settings
        let database = try request.db
        let info = try await Site.runBlocking { try Site.backupStore(settings).create(from: database, gzip: settings.operations.backupGzip) }
        try await audit(request, .backupCreated, target: info.name, details: ["size": String(info.size)])
        request.flash("Backup \(info.name) created and verified (\(StaffDatabaseFacts.bytes(info.size))).")
        return .redirect(to: try request.url(for: "staff.backups"))
    }

    /// `GET /staff/backups/:name`: streamed download.
    @Sendable static func downloadBackup(_ request: Request) async throws -> Response {
        let name = request.parameters["name"] ?? ""
        do {
            return try Site.backupStore(request.application.settings).downloadResponse(named: name)
        } catch {
            throw HTTPError(.notFound, message: "No such backup.")
        }
    }

    /// `POST /staff/backups/:name/delete` (the form asks for confirmation first).
    @Sendable static func deleteBackup(_ request: Request) async throws -> Response {
        let name = request.parameters["name"] ?? ""
        guard try request.formFields["confirm"] == name else {
            request.flash("Type the backup's name to confirm deleting it.", level: "error")
            return .redirect(to: try request.url(for: "staff.backups"))
        }
        do {
            try Site.backupStore(request.application.settings).delete(named: name)
        } catch {
            throw HTTPError(.notFound, message: "No such backup.")
        }
        try await audit(request, .backupDeleted, target: name)
        request.flash("Backup \(name) deleted.")
        return .redirect(to: try request.url(for: "staff.backups"))
    }

    /// `POST /staff/maintenance`: switch read-only maintenance mode.
    @Sendable static func maintenance(_ request: Request) async throws -> Response {
        let mode = Site.maintenanceMode(request.application.settings)
        if try request.formFields["state"] == "on" {
            // Recorded first: once it is on, the site takes no writes.
            try await audit(request, .maintenanceOn, target: "maintenance")
            try mode.enable(reason: "switched on from /staff/ by \(request.user?.email ?? "staff")")
            request.flash("Maintenance mode is on: writes get 503, reads keep working.", level: "warning")
        } else {
            try mode.disable()
            try await audit(request, .maintenanceOff, target: "maintenance")
            request.flash("Maintenance mode is off.")
        }
        return .redirect(to: try request.url(for: "staff.backups"))
    }
}
