import CroftTesting
import Foundation
import Synchronization
import Testing
@testable import Croft

/// The Mailer against a real SMTP server (aiosmtpd with STARTTLS or implicit TLS and AUTH), its messages read
/// back by Python's email parser, and the job queue's retries around a server that is down.
@Suite(.serialized) struct MailTests {
    /// Settings for the SMTP backend talking to `sink`.
    static func settings(_ sink: SMTPSink, tls: SMTPSink.TLSMode = .starttls, password: String? = nil,
                         extra: [String: String] = [:]) -> MailSettings {
        var environment = [
            "BASE_DIR": FileManager.default.temporaryDirectory.path, "EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": String(sink.port), "EMAIL_HOST_USER": sink.user, "EMAIL_HOST_PASSWORD": password ?? sink.password,
            "EMAIL_SSL_CAFILE": sink.certificatePath, "EMAIL_TIMEOUT": "10", "DEFAULT_FROM_EMAIL": "Croft <noreply@example.com>",
        ]
        environment[tls == .starttls ? "EMAIL_USE_TLS" : "EMAIL_USE_SSL"] = "1"
        environment.merge(extra) { _, new in new }
        return Settings(environment: environment).mail
    }

    static func message(to: String = "ada@example.com", subject: String = "Hello", text: String = "Hi there.\n",
                        html: String? = nil) throws -> EmailMessage {
        try EmailMessage(from: "Croft <noreply@example.com>", to: [to], subject: subject, text: text, html: html)
    }

    @Test func deliversOverSTARTTLSWithAuthAndPythonReadsTheMessageBack() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let longLine = String(repeating: "word ", count: 60) + "https://example.com/" + String(repeating: "x", count: 120)
        let text = "Grüße, Zoë!\n.\n..leading dots\nA line with = sign\n\(longLine)\nlast line"
        let html = "<p>Grüße, <b>Zoë</b> &amp; friends</p>"
        let message = try EmailMessage(from: "Zoë Example <noreply@example.com>", to: ["Ada Lovelace <ada@example.com>", "bob@example.org"],
                                       subject: "Réinitialisez votre mot de passe — un très long sujet qui doit être plié en plusieurs mots codés",
                                       text: text, html: html, replyTo: "\"Help, Desk\" <help@example.com>")
        try await Mailer(settings: Self.settings(sink)).send(message)
        let mail = try #require(try await sink.waitForMessages(1).first)
        #expect(mail.tls)
        #expect(mail.login == sink.user)
        #expect(mail.mailFrom == "noreply@example.com")
        #expect(mail.rcptTos == ["ada@example.com", "bob@example.org"])
        #expect(mail.defects.isEmpty)
        #expect(mail.subject == message.subject)
        #expect(mail.from == "Zoë Example <noreply@example.com>")
        #expect(mail.to == "Ada Lovelace <ada@example.com>, bob@example.org")
        #expect(mail.messageId == message.messageID)
        #expect(mail.date == MIMEEncoding.date(message.date))
        #expect(mail.contentType == "multipart/alternative")
        #expect(mail.parts.map(\.type) == ["text/plain", "text/html"])
        #expect(mail.parts.allSatisfy { $0.charset == "utf-8" && $0.encoding == "quoted-printable" })
        // Dot lines, "=", a line longer than SMTP's 998 limit and non-ASCII text all arrive as they were written.
        #expect(mail.text("text/plain") == text + "\n")
        #expect(mail.text("text/html") == html + "\n")
        // On the wire: CRLF only, no line over 998 bytes, nothing outside 7-bit ASCII.
        let raw = [UInt8](mail.raw)
        #expect(raw.allSatisfy { $0 < 0x80 })
        #expect(!zip(raw, raw.dropFirst()).contains { $0.1 == 10 && $0.0 != 13 })
        #expect(raw.split(separator: 10).allSatisfy { $0.count <= 999 })
    }

    @Test func aLongNonASCIINameInToKeepsTheHeadersWhole() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let name = "Алексей Александрович Длинноимённый-Константинопольский"
        let message = try EmailMessage(from: "noreply@example.com", to: ["\(name) <a@example.com>", "b@example.com"],
                                       subject: "Still a subject", text: "Body")
        try await Mailer(settings: Self.settings(sink)).send(message)
        let mail = try #require(try await sink.waitForMessages(1).first)
        #expect(mail.defects.isEmpty)
        #expect(mail.subject == "Still a subject")
        #expect(mail.to == "\(name) <a@example.com>, b@example.com")
        #expect(mail.text("text/plain") == "Body\n")
        #expect(!String(decoding: mail.raw, as: UTF8.self).contains("\r\n\r\nSubject"))
    }

    @Test func deliversOverImplicitTLSAndSendsASCIIAsSevenBit() async throws {
        let sink = try SMTPSink.start(tls: .implicit)
        defer { sink.stop() }
        try await Mailer(settings: Self.settings(sink, tls: .implicit)).send(try Self.message(text: "Plain\r\nASCII\rtext"))
        let mail = try #require(try await sink.waitForMessages(1).first)
        #expect(mail.tls)
        #expect(mail.contentType == "text/plain")
        #expect(mail.parts.first?.encoding == "7bit")
        #expect(mail.text("text/plain") == "Plain\nASCII\ntext\n")
    }

    @Test func wrongPasswordIsAPermanentFailureThatNamesTheSetting() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let error = await #expect(throws: MailError.self) {
            try await Mailer(settings: Self.settings(sink, password: "wrong")).send(try Self.message())
        }
        guard case .smtp(_, let reply, _)? = error else { Issue.record("not an SMTP error: \(String(describing: error))"); return }
        #expect(reply == 535)
        #expect(error?.isPermanent == true)
        #expect(error?.description.contains("EMAIL_HOST_PASSWORD") == true)
        #expect(try sink.messages().isEmpty)
    }

    @Test func refusalsAreSortedIntoPermanentAndWorthRetrying() async throws {
        let rejecting = try SMTPSink.start(rcptReply: "550 5.1.1 No such user here")
        defer { rejecting.stop() }
        let permanent = await #expect(throws: MailError.self) {
            try await Mailer(settings: Self.settings(rejecting)).send(try Self.message())
        }
        #expect(permanent?.isPermanent == true)
        #expect(permanent?.description.contains("550") == true)

        let busy = try SMTPSink.start(rcptReply: "451 4.3.0 Try again later")
        defer { busy.stop() }
        let transient = await #expect(throws: MailError.self) {
            try await Mailer(settings: Self.settings(busy)).send(try Self.message())
        }
        #expect(transient?.isPermanent == false)

        // Nobody listening: a connection refused is worth another try, and says what to check.
        let port = busy.port
        busy.stop()
        var settings = Self.settings(rejecting)
        settings.port = port
        let down = await #expect(throws: MailError.self) { try await Mailer(settings: settings).send(try Self.message()) }
        #expect(down?.isPermanent == false)
        #expect(down?.description.contains("EMAIL_HOST:EMAIL_PORT") == true)
    }

    @Test func aCertificateThatIsNotTrustedIsRefused() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        var settings = Self.settings(sink)
        settings.caFile = nil  // the system's roots do not include the test certificate
        let error = await #expect(throws: MailError.self) { try await Mailer(settings: settings).send(try Self.message()) }
        #expect(error?.isPermanent == true)
        #expect(error?.description.contains("EMAIL_SSL_CAFILE") == true)
        #expect(try sink.messages().isEmpty)
    }

    @Test func addressesThatCouldSmuggleHeadersOrCommandsAreRefused() throws {
        for bad in ["a@b.com\r\nRCPT TO:<x@y.z>", "a@b.com>", "<a@b.com", "a b@c.com", "a@b.com, c@d.com", "@b.com", "a@", "a@b..com", "plain"] {
            #expect(throws: MailError.self, "\(bad)") { try EmailAddress(parsing: bad) }
        }
        #expect(throws: MailError.self) { try EmailAddress("a@b.com", name: "Eve\r\nBcc: x@y.z") }
        #expect(throws: MailError.noRecipients) { try EmailMessage(from: "a@b.com", to: [], subject: "s", text: "t") }
        let quoted = try EmailAddress(parsing: "\"Lovelace, Ada\" <ada@example.com>")
        #expect(quoted.name == "Lovelace, Ada")
        #expect(quoted.headerValue == "\"Lovelace, Ada\" <ada@example.com>")
        // A subject's line breaks never reach the headers.
        let mime = String(decoding: try EmailMessage(from: "a@b.com", to: ["c@d.com"], subject: "Hi\r\nBcc: x@y.z", text: "t").mime(),
                          as: UTF8.self)
        #expect(!mime.contains("\r\nBcc:"))
    }

    @Test func theFileBackendWritesOneEmlPerMessage() async throws {
        let directory = try TemporaryDirectory()
        let settings = Settings(environment: ["BASE_DIR": directory.path, "EMAIL_BACKEND": "file", "EMAIL_FILE_PATH": "outbox",
                                              "EMAIL_SUBJECT_PREFIX": "[Croft] "]).mail
        let message = try Self.message(subject: "Stored")
        try await Mailer(settings: settings).send(message)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/outbox")
        #expect(files.count == 1)
        let text = try String(contentsOfFile: directory.path + "/outbox/" + files[0], encoding: .utf8)
        #expect(text.contains("Subject: [Croft] Stored\r\n"))
        #expect(text.contains("Message-ID: \(message.messageID)\r\n"))
    }

    @Test func settingsUseDjangosNamesAndRefuseWhatCannotWork() {
        #expect(Settings(environment: ["EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"]).mail.backend == .smtp)
        #expect(Settings(environment: ["EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"]).mail.backend == .file)
        #expect(Settings(environment: [:]).mail.backend == .console)
        #expect(Settings(environment: [:]).mail.defaultFrom == "webmaster@localhost")
        let both = Settings(environment: ["EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"])
        #expect(both.problems.contains { $0.contains("EMAIL_USE_TLS and EMAIL_USE_SSL") })
        #expect(Settings(environment: ["EMAIL_BACKEND": "pigeon"]).problems.contains { $0.contains("console, file, smtp") })
        #expect(Settings(environment: ["EMAIL_PORT": "0"]).problems.contains { $0.contains("EMAIL_PORT") })
        #expect(Settings(environment: ["DEFAULT_FROM_EMAIL": "nobody"]).problems.contains { $0.contains("DEFAULT_FROM_EMAIL") })
    }

    @Test func messagesComeFromTemplatesWithTheTextUnescaped() throws {
        let templates = TemplateEnvironment(loader: DictionaryLoader([
            "email/hello_subject.txt": "Hello {{ name }}\n",
            "email/hello.txt": "Dear {{ name }},\nfollow {{ link }}\n",
            "email/hello.html": "<p>Dear {{ name }}, <a href=\"{{ link }}\">follow</a></p>",
            "email/plain_subject.txt": "Plain",
            "email/plain.txt": "Only text",
        ]))
        let mailer = Mailer(settings: Settings(environment: [:]).mail, templates: templates)
        let message = try mailer.message(template: "email/hello", to: ["ada@example.com"],
                                         context: ["name": "Tom & <Jerry>", "link": "https://x.test/r?a=1&b=2"])
        #expect(message.subject == "Hello Tom & <Jerry>")
        #expect(message.text == "Dear Tom & <Jerry>,\nfollow https://x.test/r?a=1&b=2\n")
        #expect(message.html == "<p>Dear Tom &amp; &lt;Jerry&gt;, <a href=\"https://x.test/r?a=1&amp;b=2\">follow</a></p>")
        #expect(message.from.address == "webmaster@localhost")
        #expect(try mailer.message(template: "email/plain", to: ["a@b.com"], context: [:]).html == nil)
        #expect(throws: MailError.self) { try mailer.message(template: "email/missing", to: ["a@b.com"], context: [:]) }
    }

    @Test func aQueuedMessageWaitsOutAServerThatIsDownAndArrivesOnce() async throws {
        let directory = try OperationsDirectory()
        let database = try DatabasePool(path: directory.file("db.sqlite3"))
        // The queue's time is now plus what the test adds: a retry comes when the test says, not after a sleep.
        let skipped = Mutex<Double>(0)
        let queue = try JobQueue(database: database, retryPolicy: RetryPolicy(base: 60, maximum: 60),
                                 clock: { Date().timeIntervalSince1970 + skipped.withLock { $0 } })
        // A port nobody listens on, where the server starts later.
        let first = try SMTPSink.start()
        let (port, maildir) = (first.port, first.directory)
        first.stop()
        var environment = [
            "BASE_DIR": directory.path, "EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": String(port),
            "EMAIL_USE_TLS": "1", "EMAIL_HOST_USER": first.user, "EMAIL_HOST_PASSWORD": first.password,
            "EMAIL_SSL_CAFILE": first.certificatePath, "EMAIL_TIMEOUT": "5",
        ]
        var registry = JobRegistry()
        registry.register(SendEmailJob.self)
        let message = try Self.message(subject: "Queued")
        let mailer = Mailer(settings: Settings(environment: environment).mail)
        let id = try await database.write { db in try mailer.queue(message, in: db) }
        let worker = JobWorker(queue: queue, registry: registry, concurrency: 1, lease: 30, pollInterval: .milliseconds(10),
                               settings: Settings(environment: environment))
        let running = Task { await worker.run() }
        defer { running.cancel() }

        let failed = try await Self.waitForJob(queue, id: try #require(id)) { $0.attempts == 1 && $0.state == .queued }
        #expect(failed.lastError?.contains("EMAIL_HOST:EMAIL_PORT") == true)
        let sink = try SMTPSink.start(port: port, directory: maildir)
        defer { sink.stop() }
        skipped.withLock { $0 += 120 }  // past the backoff
        let mail = try await sink.waitForMessages(1)
        let done = try await Self.waitForJob(queue, id: try #require(id)) { $0.state == .done }
        #expect(done.attempts == 2)
        #expect(mail.count == 1)
        #expect(mail.first?.messageId == message.messageID)
        await worker.stop()
        #expect(try sink.messages().count == 1)

        // A wrong password: failed at once, the reason in the job's last error (what /staff/jobs shows).
        environment["EMAIL_HOST_PASSWORD"] = "wrong"
        let refusedID = try await database.write { db in try mailer.queue(message, in: db) }
        let refusingWorker = JobWorker(queue: queue, registry: registry, concurrency: 1, lease: 30, pollInterval: .milliseconds(10),
                                       settings: Settings(environment: environment))
        let refusing = Task { await refusingWorker.run() }
        defer { refusing.cancel() }
        let refused = try await Self.waitForJob(queue, id: try #require(refusedID)) { $0.state == .failed }
        #expect(refused.attempts == 1)
        #expect(refused.lastError?.contains("535") == true)
        #expect(refused.lastError?.contains("EMAIL_HOST_PASSWORD") == true)
        await refusingWorker.stop()
    }

    static func waitForJob(_ queue: JobQueue, id: Int64, until condition: (JobRecord) -> Bool) async throws -> JobRecord {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let record = try await queue.job(id: id), condition(record) { return record }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw SMTPSink.SinkError("job \(id) did not reach the expected state: \(String(describing: try await queue.job(id: id)))")
    }
}
