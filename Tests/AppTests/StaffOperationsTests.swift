import App
import Croft
import CroftTesting
import Foundation
import Testing

/// `/staff/jobs/` and `/staff/backups/` over a real socket.
@Suite(.bothPollers) struct StaffOperationsTests {
    struct Probe: Job {
        static let name = "test.probe"
        func run(_ context: JobContext) async throws {}
    }

    @Test func staffSeeRetryAndDeleteJobs() async throws {
        try await LiveSite.with { site in
            _ = try await site.createUser("ops@example.com", staff: true)
            _ = try await site.createUser("user@example.com")
            let queue = try JobQueue(database: site.database)
            let id = try #require(try await queue.enqueue(Probe()))
            // Make it a failed job with an error, as a worker would leave it.
            try await site.database.write { db in
                try db.execute("UPDATE croft_jobs SET state = 'failed', last_error = 'boom: <disk full>' WHERE id = ?", id)
            }
            let user = site.visitor()
            try await user.logIn("user@example.com")
            #expect(try await user.get("/staff/jobs/").status == 404)

            let staff = site.visitor()
            try await staff.logIn("ops@example.com")
            let page = try await staff.get("/staff/jobs/")
            #expect(page.status == 200)
            #expect(page.text.contains("test.probe"))
            #expect(page.text.contains("boom: &lt;disk full&gt;"))
            #expect(try await staff.post("/staff/jobs/\(id)/retry").status == 303)
            #expect(try await queue.job(id: id)?.state == .queued)
            #expect(try await staff.post("/staff/jobs/\(id)/delete").status == 303)
            #expect(try await queue.job(id: id) == nil)
            #expect(try await staff.post("/staff/jobs/999999/retry").status == 404)
        }
    }

    @Test func staffCreateDownloadAndDeleteBackups() async throws {
        try await LiveSite.with { site in
            _ = try await site.createUser("ops@example.com", staff: true)
            let staff = site.visitor()
            try await staff.logIn("ops@example.com")
            #expect(try await staff.get("/staff/backups/").text.contains("No backups yet"))
            #expect(try await staff.post("/staff/backups/").status == 303)
            let page = try await staff.get("/staff/backups/")
            #expect(page.text.contains("created and verified"))
            let name = try #require(page.text.range(of: #"db-\d{8}-\d{6}\.sqlite3(\.gz)?"#, options: .regularExpression).map { String(page.text[$0]) })
            let download = try await staff.get("/staff/backups/\(name)")
            #expect(download.status == 200)
            if !name.hasSuffix(".gz") { #expect(download.body.starts(with: Array("SQLite format 3".utf8))) }
            #expect(try await staff.get("/staff/backups/..%2Fdb.sqlite3").status == 404)
            #expect(try await staff.post("/staff/backups/\(name)/delete", [("confirm", "wrong")]).status == 303)
            #expect(try await staff.get("/staff/backups/").text.contains("Type the backup&#x27;s name"))
            #expect(try await staff.post("/staff/backups/\(name)/delete", [("confirm", name)]).status == 303)
            #expect(try await staff.get("/staff/backups/").text.contains("No backups yet"))
        }
    }

    @Test func staffSwitchMaintenanceModeWhichRefusesOtherWrites() async throws {
        try await LiveSite.with { site in
            _ = try await site.createUser("ops@example.com", staff: true)
            let staff = site.visitor()
            try await staff.logIn("ops@example.com")
            try await staff.get("/staff/backups/")
            #expect(try await staff.post("/staff/maintenance", [("state", "on")]).status == 303)
            let refused = try await staff.post("/accounts/profile", [("display_name", "x"), ("theme", "dark")])
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") != nil)
            #expect(try await staff.get("/accounts/profile").status == 200)  // reads keep working
            try await staff.get("/staff/backups/")
            #expect(try await staff.post("/staff/maintenance", [("state", "off")]).status == 303)
            #expect(try await staff.post("/accounts/profile", [("display_name", "x"), ("theme", "dark")]).status == 303)
        }
    }
}
