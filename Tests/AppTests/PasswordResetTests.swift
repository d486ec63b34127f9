@testable import App
import Croft
import CroftTesting
import Foundation
import Testing

/// "Forgot your password?" from request to new password, over a real SMTP server (aiosmtpd, STARTTLS and
/// AUTH) with a real job worker sending the message, and every refusal.
@Suite(.serialized, .bothPollers) struct PasswordResetTests {
    /// A site whose email goes to `sink`, with a worker sending it.
    static func withSite(_ sink: SMTPSink, environment extra: [String: String] = [:],
                         _ body: (LiveSite) async throws -> Void) async throws {
        var environment = [
            "EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": String(sink.port), "EMAIL_USE_TLS": "1",
            "EMAIL_HOST_USER": sink.user, "EMAIL_HOST_PASSWORD": sink.password, "EMAIL_SSL_CAFILE": sink.certificatePath,
            "DEFAULT_FROM_EMAIL": "Croft <noreply@example.com>",
        ]
        environment.merge(extra) { _, new in new }
        try await LiveSite.with(environment: environment) { site in
            var logger = Logger(label: "test.worker")
            logger.logLevel = .critical
            let worker = JobWorker(queue: try JobQueue(database: site.database), registry: Site.jobRegistry, concurrency: 2,
                                   pollInterval: .milliseconds(20), settings: site.app.settings, logger: logger)
            let running = Task { await worker.run() }
            defer { running.cancel() }
            do {
                try await body(site)
            } catch {
                await worker.stop(deadline: .seconds(1))
                throw error
            }
            await worker.stop(deadline: .seconds(1))
        }
    }

    /// The reset link in a message's text part.
    static func link(in mail: SMTPSink.ReceivedMail) throws -> String {
        let text = try #require(mail.text("text/plain"))
        let range = try #require(text.range(of: #"http://[^\s]+/accounts/password/reset/[0-9]+/[0-9a-z]+-[0-9a-f]{32}"#,
                                            options: .regularExpression))
        return String(text[range])
    }

    /// The path and query of an absolute URL.
    static func path(_ url: String) -> String {
        let afterScheme = url.range(of: "://").map { url[$0.upperBound...] } ?? Substring(url)
        return String(afterScheme[(afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex)...])
    }

    static func events(_ site: LiveSite, _ action: AuditAction) async throws -> [AuditEvent] {
        try await site.database.read { db in try AuditEvent.query().where("action = ?", action.rawValue).all(db) }
    }

    @Test func aForgottenPasswordIsResetThroughTheEmailedLink() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        try await Self.withSite(sink) { site in
            _ = try await site.createUser("alice@example.com", password: "old password 1")
            let elsewhere = site.visitor()
            #expect(try await elsewhere.logIn("alice@example.com", password: "old password 1").status == 303)

            let visitor = site.visitor()
            let form = try await visitor.get("/accounts/password/reset")
            #expect(form.status == 200)
            #expect(try await visitor.get("/accounts/login").text.contains(#"href="/accounts/password/reset""#))
            let asked = try await visitor.post("/accounts/password/reset", [("email", "Alice@Example.com")])
            #expect(asked.status == 303)
            #expect(asked.header("Location") == "/accounts/password/reset/done")
            #expect(try await visitor.get("/accounts/password/reset/done").text.contains("Check your email"))

            let mail = try #require(try await sink.waitForMessages(1).first)
            #expect(mail.rcptTos == ["alice@example.com"])
            #expect(mail.subject == "Reset your password")
            #expect(mail.tls)
            #expect(mail.contentType == "multipart/alternative")
            let link = try Self.link(in: mail)
            #expect(link.hasPrefix("http://127.0.0.1:\(site.port)/"))
            #expect(mail.text("text/html")?.contains(#"href="\#(link)""#) == true)

            // Opening the link moves the token into the session and leaves it out of the next URL.
            let opened = try await visitor.get(Self.path(link))
            #expect(opened.status == 303)
            let setPassword = try #require(opened.header("Location"))
            #expect(setPassword.hasSuffix("/set-password"))
            #expect(try await visitor.get(setPassword).status == 200)
            let mismatch = try await visitor.post(setPassword, [("new_password", "new password 2"), ("new_password2", "other")])
            #expect(mismatch.status == 422)
            let set = try await visitor.post(setPassword, [("new_password", "new password 2"), ("new_password2", "new password 2")])
            #expect(set.status == 303)
            #expect(set.header("Location") == "/accounts/login")

            // The new password works, the old one does not, and the other session was signed out.
            #expect(try await site.visitor().logIn("alice@example.com", password: "old password 1").status == 422)
            #expect(try await site.visitor().logIn("alice@example.com", password: "new password 2").status == 303)
            #expect(try await elsewhere.get("/accounts/profile").status == 303)
            // The link is spent.
            #expect(try await site.visitor().get(Self.path(link)).status == 404)

            // Once sent, the message (and the link in it) is erased from the job queue.
            let payloads = try await site.database.read { db in
                try db.fetchAll("SELECT state, CAST(payload AS TEXT) AS payload FROM croft_jobs WHERE name = 'croft.send_email'")
                    .map { (try $0.string("state"), try $0.string("payload")) }
            }
            #expect(payloads.count == 1)
            #expect(payloads.first?.0 == "done" && payloads.first?.1 == "{}")

            let requested = try await Self.events(site, .passwordResetRequested)
            #expect(requested.count == 1)
            #expect(requested.first?.details.contains(#""sent":"yes""#) == true)
            #expect(requested.first?.clientAddress == "127.0.0.1")
            let reset = try await Self.events(site, .passwordReset)
            #expect(reset.map(\.actorEmail) == ["alice@example.com"])
            #expect(reset.first?.actorID != nil)
        }
    }

    @Test func theAnswerIsTheSameForAnAddressWithoutAnAccount() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        try await Self.withSite(sink) { site in
            _ = try await site.createUser("bob@example.com")
            let visitor = site.visitor()
            try await visitor.get("/accounts/password/reset")
            let unknown = try await visitor.post("/accounts/password/reset", [("email", "nobody@example.com")])
            try await visitor.get("/accounts/password/reset")
            let known = try await visitor.post("/accounts/password/reset", [("email", "bob@example.com")])
            #expect(unknown.status == known.status)
            #expect(unknown.header("Location") == known.header("Location"))
            #expect(unknown.text == known.text)
            let mail = try await sink.waitForMessages(1)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try sink.messages().count == 1)
            #expect(mail.first?.rcptTos == ["bob@example.com"])
            let events = try await Self.events(site, .passwordResetRequested)
            #expect(events.map(\.target).sorted() == ["bob@example.com", "nobody@example.com"])
            #expect(events.first { $0.target == "nobody@example.com" }?.details.contains(#""sent":"no""#) == true)
            // A malformed address is a form error, not a silent success.
            try await visitor.get("/accounts/password/reset")
            #expect(try await visitor.post("/accounts/password/reset", [("email", "not an address")]).status == 422)
        }
    }

    @Test func linksThatAreExpiredReusedOrOutdatedAreRefused() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        try await Self.withSite(sink, environment: ["PASSWORD_RESET_TIMEOUT": "600"]) { site in
            let user = try await site.createUser("carol@example.com")
            let (secret, _) = try SecretKey.load(settings: site.app.settings)
            let tokens = Tokens(tokens: AccountTokens(secret: secret, timeout: 600))
            let id = try #require(user.id)
            func status(_ token: String) async throws -> Int {
                try await site.visitor().get("/accounts/password/reset/\(id)/\(token)").status
            }
            #expect(try await status(tokens.make(user)) == 303)
            #expect(try await status(tokens.make(user, at: Date().addingTimeInterval(-601))) == 404)  // expired
            #expect(try await status(tokens.make(user, at: Date().addingTimeInterval(3600))) == 404)  // from the future
            #expect(try await status("zz-" + String(repeating: "0", count: 32)) == 404)  // forged
            #expect(try await status("set-password") == 404)  // no token in this session
            #expect(try await site.visitor().get("/accounts/password/reset/999/\(tokens.make(user))").status == 404)  // another id

            // A token made before the password changed, or before a sign-in, no longer works.
            let before = tokens.make(user)
            let visitor = site.visitor()
            #expect(try await visitor.logIn("carol@example.com").status == 303)
            #expect(try await status(before) == 404)
            let afterLogin = tokens.make(try #require(try await site.database.read { db in try User.find(id, in: db) }))
            #expect(try await status(afterLogin) == 303)
            try await visitor.get("/accounts/password")
            #expect(try await visitor.post("/accounts/password", [
                ("current_password", "correct horse"), ("new_password", "battery staple 9"), ("new_password2", "battery staple 9"),
            ]).status == 303)
            #expect(try await status(afterLogin) == 404)

            // A deactivated account gets no link and cannot use one.
            let current = try #require(try await site.database.read { db in try User.find(id, in: db) })
            let live = tokens.make(current)
            #expect(try await status(live) == 303)
            try await site.database.write { db in try db.execute("UPDATE users SET is_active = 0 WHERE id = ?", id) }
            #expect(try await status(live) == 404)  // the same token, once the account is deactivated
            let anonymous = site.visitor()
            try await anonymous.get("/accounts/password/reset")
            #expect(try await anonymous.post("/accounts/password/reset", [("email", "carol@example.com")]).status == 303)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try sink.messages().isEmpty)
        }
    }

    @Test func aWrongSMTPPasswordFailsTheEmailAtOnceAndStaffSeeWhyInTheJobsPage() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        try await Self.withSite(sink, environment: ["EMAIL_HOST_PASSWORD": "not the password"]) { site in
            _ = try await site.createUser("root@example.com", staff: true)
            let visitor = site.visitor()
            try await visitor.get("/accounts/password/reset")
            #expect(try await visitor.post("/accounts/password/reset", [("email", "root@example.com")]).status == 303)
            let queue = try JobQueue(database: site.database)
            let deadline = ContinuousClock.now + .seconds(20)
            var failed: [JobRecord] = []
            while failed.isEmpty, ContinuousClock.now < deadline {
                failed = try await queue.jobs(in: .failed)
                try await Task.sleep(for: .milliseconds(50))
            }
            let job = try #require(failed.first)
            #expect(job.name == SendEmailJob.name)
            #expect(job.attempts == 1)  // a 535 is not retried
            let staff = site.visitor()
            try await staff.logIn("root@example.com")
            let page = try await staff.get("/staff/jobs")
            #expect(page.text.contains("croft.send_email"))
            #expect(page.text.contains("535"))
            #expect(page.text.contains("check EMAIL_HOST_USER and EMAIL_HOST_PASSWORD"))
            #expect(try sink.messages().isEmpty)
        }
    }

    @Test func floodsAreLimitedPerAddressAndPerEmail() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        try await Self.withSite(sink, environment: ["PASSWORD_RESET_EMAIL_LIMIT": "2", "PASSWORD_RESET_RATE_LIMIT": "4"]) { site in
            _ = try await site.createUser("dave@example.com")
            let visitor = site.visitor()
            var statuses: [Int] = []
            for _ in 0..<5 {
                try await visitor.get("/accounts/password/reset")
                statuses.append(try await visitor.post("/accounts/password/reset", [("email", "dave@example.com")]).status)
            }
            // Per email: two messages, then the same answer and nothing sent. Per address: the fifth POST is a 429,
            // however the path is spelled (the router reads these as the same page).
            #expect(statuses == [303, 303, 303, 303, 429])
            for variant in ["/accounts/password/reset/", "//accounts/password/reset", "/accounts/password/%72eset"] {
                #expect(try await visitor.post(variant, [("email", "dave@example.com")]).status == 429, "\(variant)")
            }
            _ = try await sink.waitForMessages(2)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try sink.messages().count == 2)
        }
    }
}

/// The site's own token scheme, to make expired, future and outdated tokens.
private struct Tokens {
    let tokens: AccountTokens

    func make(_ user: User, at date: Date = Date()) -> String {
        tokens.make(for: user, purpose: .passwordReset, now: date)
    }
}
