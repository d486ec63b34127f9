import Croft
import Foundation

/// `/staff/`: the overview, the database, and the users.
enum StaffController {
    /// Renders a staff page with the navigation, `section` (a route name) marked as the current one.
    static func render(_ request: Request, _ name: String, _ context: [String: TemplateValue], section: String,
                       status: HTTPStatus = .ok) throws -> Response {
        var context = context
        context["sections"] = .array(try Staff.sections.map { route, label in
            ["url": .string(try request.url(for: route)), "label": .string(label), "current": .bool(route == section)]
        })
        return try request.render(name, context, status: status)
    }

    @Sendable static func overview(_ request: Request) async throws -> Response {
        let app = request.application
        let database = try request.db
        let report = try await StaffDatabaseFacts.gather(settings: app.settings, database: database)
        let userCount = try await database.read { db in try User.query().count(db) }
        let uptime = Int(Date().timeIntervalSince(app.startedAt))
        return try render(request, "staff/overview.html", [
            "version": .string(Site.version), "uptime": .string(formatDuration(uptime)),
            "requests": .int(app.requestsServed), "users": .int(userCount),
            "environment": .string(app.settings.environment), "db": report.templateValue,
        ], section: "staff")
    }

    @Sendable static func database(_ request: Request) async throws -> Response {
        let report = try await StaffDatabaseFacts.gather(settings: request.application.settings, database: try request.db)
        return try render(request, "staff/database.html", ["db": report.templateValue], section: "staff.database")
    }

    /// `POST /staff/database/check`: `PRAGMA quick_check` on demand.
    @Sendable static func quickCheck(_ request: Request) async throws -> Response {
        let started = Date()
        let rows = try await request.db.read { db in try db.fetchAll("PRAGMA quick_check").map { $0[0].displayText } }
        let elapsed = Date().timeIntervalSince(started)
        if rows == ["ok"] {
            request.flash("quick_check: ok (\(String(format: "%.0f", elapsed * 1000)) ms)")
        } else {
            request.flash("quick_check found problems: \(rows.prefix(5).joined(separator: "; "))", level: "error")
        }
        return .redirect(to: try request.url(for: "staff.database"))
    }

    @Sendable static func users(_ request: Request) async throws -> Response {
        let search = (request.query["q"] ?? "").trimmingCharacters(in: .whitespaces)
        let pageNumber = try request.queryValue("page", as: Int.self) ?? 1
        let db = try request.db
        let invitations = try await db.read { db in
            try Invitation.query().where("accepted_at IS NULL AND expires_at > ?", Date()).order("created_at DESC").limit(50).all(db)
        }
        let (page, lockedOut) = try await db.read { db in
            var query = User.query().order("created_at DESC")
            if !search.isEmpty {
                let pattern = "%" + escapeLike(search) + "%"
                query = query.where("(email LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\')", pattern, pattern)
            }
            return (try query.page(pageNumber, perPage: 25, in: db), try AccountController.throttle.lockedOut(in: db))
        }
        guard pageNumber >= 1, !page.isPastEnd else {
            throw HTTPError(.notFound, message: "There is no page \(pageNumber) of users.")
        }
        return try render(request, "staff/users.html", [
            "users": .array(page.items.map { user in
                var value = user.templateValue
                if case .dictionary(var fields) = value {
                    fields["locked_out"] = .bool(lockedOut.contains(user.email.lowercased()) || lockedOut.contains(user.email))
                    fields["last_login"] = .string(user.lastLoginAt.map { ISO8601DateFormatter().string(from: $0) } ?? "never")
                    value = .dictionary(fields)
                }
                return value
            }),
            "q": .string(search), "page": .int(page.number), "total_pages": .int(page.totalPages),
            "has_next": .bool(page.hasNext), "has_previous": .bool(page.hasPrevious), "total": .int(page.totalCount),
            "invitations": .array(invitations.map { invitation in
                ["id": .int(Int(invitation.id ?? 0)), "email": .string(invitation.email), "staff": .bool(invitation.makeStaff),
                 "expires": .date(invitation.expiresAt)]
            }),
        ], section: "staff.users")
    }

    /// `POST /staff/users/:id`: `action` = make_staff, remove_staff, deactivate, activate, reset_throttle.
    @Sendable static func updateUser(_ request: Request) async throws -> Response {
        let id: Int64 = try request.parameter("id")
        let action = try request.formFields["action"] ?? ""
        let me = try request.requireUser()
        guard id != me.id || action == "reset_throttle" else {
            request.flash("You cannot change your own staff status or deactivate yourself here.", level: "error")
            return .redirect(to: try request.url(for: "staff.users"))
        }
        let message = try await request.db.write { db -> String in
            guard var user = try User.find(id, in: db) else { throw HTTPError(.notFound, message: "No such user.") }
            if action == "remove_staff" || action == "deactivate", try StaffUsersController.isLastActiveStaff(user, in: db) {
                return StaffUsersController.lastStaffMessage
            }
            switch action {
            case "make_staff": user.isStaff = true
            case "remove_staff": user.isStaff = false
            case "deactivate": user.isActive = false
            case "activate": user.isActive = true
            case "reset_throttle":
                try AccountController.throttle.reset(email: user.email, in: db)
                try Audit.record(.userUpdated, actor: me, target: user.email, request: request, details: ["change": action], in: db)
                return "Login lock-out cleared for \(user.email)."
            default: throw HTTPError(.badRequest, message: "Unknown action.")
            }
            try user.update(db)
            let audited: AuditAction = switch action {
            case "deactivate": .userDeactivated
            case "activate": .userActivated
            default: .userUpdated
            }
            try Audit.record(audited, actor: me, target: user.email, request: request, details: ["change": action], in: db)
            if action == "deactivate" {
                // Sessions are keyed by a hash and hold user ids as text; the current-user middleware
                // ends any session of a deactivated user on its next request.
            }
            return "\(user.email): \(action.replacingOccurrences(of: "_", with: " ")) done."
        }
        request.flash(message)
        return .redirect(to: Request.safeRedirectTarget((try request.formFields)["next"], fallback: try request.url(for: "staff.users")))
    }

    static func formatDuration(_ seconds: Int) -> String {
        let days = seconds / 86400, hours = seconds % 86400 / 3600, minutes = seconds % 3600 / 60
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        return "\(minutes)m \(seconds % 60)s"
    }

    /// Escapes `\`, `%` and `_` for a LIKE pattern used with `ESCAPE '\'`.
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
