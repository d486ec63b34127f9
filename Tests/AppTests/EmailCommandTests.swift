import App
import Croft
import CroftTesting
import Foundation
import Testing

/// `app sendtestemail` against a real SMTP server (aiosmtpd, STARTTLS and AUTH).
@Suite(.serialized) struct EmailCommandTests {
    static func environment(_ sink: SMTPSink, password: String? = nil) -> [String: String] {
        ["EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": String(sink.port), "EMAIL_USE_TLS": "1",
         "EMAIL_HOST_USER": sink.user, "EMAIL_HOST_PASSWORD": password ?? sink.password,
         "EMAIL_SSL_CAFILE": sink.certificatePath, "DEFAULT_FROM_EMAIL": "Croft <noreply@example.com>"]
    }

    @Test func sendtestemailDeliversAndSaysSo() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let directory = try TemporaryDirectory()
        let sent = try await AppProcess.run(["sendtestemail", "ops@example.com"], baseDirectory: directory.path,
                                            environment: Self.environment(sink))
        #expect(sent.status == 0, "\(sent.output)")
        #expect(sent.output.contains("sent to ops@example.com through 127.0.0.1:\(sink.port)"))
        let mail = try #require(try await sink.waitForMessages(1).first)
        #expect(mail.rcptTos == ["ops@example.com"])
        #expect(mail.subject.hasPrefix("Test email from "))
        #expect(mail.text("text/plain")?.contains("email settings") == true)
    }

    @Test func sendtestemailWithAWrongPasswordFailsClearly() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let directory = try TemporaryDirectory()
        let refused = try await AppProcess.run(["sendtestemail", "ops@example.com"], baseDirectory: directory.path,
                                               environment: Self.environment(sink, password: "wrong"))
        #expect(refused.status != 0)
        #expect(refused.output.contains("535"))
        #expect(refused.output.contains("check EMAIL_HOST_USER and EMAIL_HOST_PASSWORD"))
        #expect(!refused.output.contains("wrong"))  // the password never reaches the output
        #expect(try sink.messages().isEmpty)

        let bad = try await AppProcess.run(["sendtestemail", "not an address"], baseDirectory: directory.path,
                                           environment: Self.environment(sink))
        #expect(bad.status != 0)
        #expect(bad.output.contains("not a usable email address"))
        let unusable = try await AppProcess.run(["sendtestemail", "ops@example.com"], baseDirectory: directory.path,
                                                environment: ["EMAIL_BACKEND": "carrier-pigeon"])
        #expect(unusable.status != 0)
        #expect(unusable.output.contains("console, file, smtp"))
    }

    @Test func sendtestemailWithTheConsoleBackendWritesTheMessageToTheLog() async throws {
        let directory = try TemporaryDirectory()
        let logged = try await AppProcess.run(["sendtestemail", "ops@example.com"], baseDirectory: directory.path)
        #expect(logged.status == 0)
        #expect(logged.output.contains("To: ops@example.com"))
        #expect(logged.output.contains("EMAIL_BACKEND=console"))
    }
}
