@testable import App
@testable import Croft
import CroftTesting
import Foundation
import Testing

/// The audit log over a real socket: what each account and staff action records, `/staff/audit`'s filters,
/// pages and refusals, and the retention clean-up.
@Suite(.bothPollers) struct AuditLogTests {
    static func actions(_ site: LiveSite) async throws -> [String] {
        try await site.database.read { db in try AuditEvent.query().order("id").all(db).map(\.action) }
    }

    @Test func accountAndStaffActionsAreRecordedWithWhoAndWhere() async throws {
        try await LiveSite.with { site in
            let visitor = site.visitor()
            #expect(try await visitor.signUp("erin@example.com", password: "correct horse").status == 303)
            try await visitor.get("/accounts/profile")
            #expect(try await visitor.post("/accounts/profile", [("display_name", "Erin"), ("theme", "dark")]).status == 303)
            try await visitor.get("/accounts/password")
            #expect(try await visitor.post("/accounts/password", [
                ("current_password", "correct horse"), ("new_password", "battery staple"), ("new_password2", "battery staple"),
            ]).status == 303)
            try await visitor.get("/accounts/profile")  // the session (and its CSRF token) changed with the password
            #expect(try await visitor.post("/accounts/logout").status == 303)
            for _ in 0..<5 { #expect(try await site.visitor().logIn("erin@example.com", password: "wrong one").status == 422) }
            #expect(try await site.visitor().logIn("erin@example.com", password: "battery staple").status == 429)
            #expect(try await site.visitor().logIn("nobody@example.com", password: "whatever").status == 422)

            _ = try await site.createUser("root@example.com", staff: true)
            let staff = site.visitor()
            #expect(try await staff.logIn("root@example.com").status == 303)
            let erin = try #require(try await site.database.read { db in try User.find(email: "erin@example.com", in: db) })
            try await staff.get("/staff/users")
            #expect(try await staff.post("/staff/users/\(try #require(erin.id))", [("action", "reset_throttle")]).status == 303)
            #expect(try await staff.post("/staff/users/\(try #require(erin.id))", [("action", "deactivate")]).status == 303)
            #expect(try await staff.post("/staff/maintenance", [("state", "on")]).status == 303)
            #expect(try await staff.post("/staff/maintenance", [("state", "off")]).status == 303)

            #expect(try await Self.actions(site) == [
                "auth.signup", "auth.profile_change", "auth.password_change", "auth.logout",
                "auth.login_failed", "auth.login_failed", "auth.login_failed", "auth.login_failed", "auth.login_failed",
                "auth.locked_out", "auth.login_failed", "auth.login",
                "staff.user_update", "staff.user_deactivate", "staff.maintenance_on", "staff.maintenance_off",
            ])
            let events = try await site.database.read { db in try AuditEvent.query().order("id").all(db) }
            #expect(events[0].actorID == erin.id)
            #expect(events[0].clientAddress == "127.0.0.1")
            #expect(events[4].actorID == nil)
            #expect(events[4].actorEmail == "erin@example.com")
            #expect(events[4].details.contains("wrong password"))
            #expect(events[10].details.contains("unknown email"))
            #expect(events[13].actorEmail == "root@example.com")
            #expect(events[13].target == "erin@example.com")
            #expect(events.allSatisfy { $0.createdAt != nil })
        }
    }

    @Test func staffFilterAndPageTheLogAndOthersCannotSeeIt() async throws {
        try await LiveSite.with { site in
            _ = try await site.createUser("root@example.com", staff: true)
            _ = try await site.createUser("user@example.com")
            // 60 old failed sign-ins of one address, then the staff sign-in of today.
            try await site.database.write { db in
                for index in 0..<60 {
                    var event = AuditEvent(actorID: nil, actorEmail: "mallory@example.com", action: AuditAction.loginFailed.rawValue,
                                           target: "mallory@example.com", clientAddress: "10.0.0.\(index)", userAgent: "curl",
                                           details: "{}")
                    event.createdAt = Date(timeIntervalSince1970: 1_767_225_600 + Double(index))  // 2026-01-01
                    try event.insert(db)
                }
            }
            let user = site.visitor()
            try await user.logIn("user@example.com")
            #expect(try await user.get("/staff/audit").status == 404)
            #expect(try await site.visitor().get("/staff/audit").status == 303)

            let staff = site.visitor()
            try await staff.logIn("root@example.com")
            let all = try await staff.get("/staff/audit")
            #expect(all.status == 200)
            #expect(all.text.contains("(62)"))  // and the two sign-ins of today
            #expect(all.text.contains("auth.login</code>"))  // newest first: today's sign-in is on page 1

            let filtered = try await staff.get("/staff/audit?actor=mallory&action=auth.login_failed&from=2026-01-01&to=2026-01-01")
            #expect(filtered.text.contains("(60)"))
            #expect(!filtered.text.contains("auth.login</code>"))
            // The next page keeps the filters.
            #expect(filtered.text.contains(#"href="?actor=mallory&amp;action=auth.login_failed&amp;from=2026-01-01&amp;to=2026-01-01&amp;page=2""#))
            let second = try await staff.get("/staff/audit?actor=mallory&action=auth.login_failed&from=2026-01-01&to=2026-01-01&page=2")
            #expect(second.text.components(separatedBy: "<code>auth.login_failed</code>").count - 1 == 10)
            #expect(try await staff.get("/staff/audit?from=2026-01-02").text.contains("(2)"))
            #expect(try await staff.get("/staff/audit?to=2025-12-31").text.contains("No events match."))

            #expect(try await staff.get("/staff/audit?from=yesterday").status == 400)
            #expect(try await staff.get("/staff/audit?from=2026-02-30").status == 400)
            #expect(try await staff.get("/staff/audit?action=auth.nothing").status == 400)
            #expect(try await staff.get("/staff/audit?page=9").status == 404)
            // LIKE's wildcards are searched for literally.
            #expect(try await staff.get("/staff/audit?actor=%25").text.contains("No events match."))
        }
    }

    @Test func theHourlyCleanUpDropsEventsPastTheRetention() async throws {
        try await LiveSite.with(environment: ["AUDIT_RETENTION_DAYS": "30"]) { site in
            try await site.database.write { db in
                for age in [40, 31, 29, 1] {
                    var event = AuditEvent(actorID: nil, actorEmail: "", action: AuditAction.login.rawValue, target: "age \(age)",
                                           clientAddress: "", userAgent: "", details: "{}")
                    event.createdAt = Date().addingTimeInterval(-Double(age) * 86_400)
                    try event.insert(db)
                }
            }
            var registry = JobRegistry()
            registry.register(CleanupJob.self)
            let logger = Logger(label: "test")
            try await registry.run(name: CleanupJob.name, payload: Data("{}".utf8), context: JobContext(
                jobID: 1, name: CleanupJob.name, attempt: 1, database: site.database, settings: site.app.settings, logger: logger))
            let left = try await site.database.read { db in try AuditEvent.query().order("id").all(db).map(\.target) }
            #expect(left == ["age 29", "age 1"])
        }
    }
}
