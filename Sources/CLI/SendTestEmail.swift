import App
import ArgumentParser
import Croft
import Foundation

/// `app sendtestemail ADDRESS...`: sends one message now, through the configured backend, to check a
/// deployment's email settings (Django's command of the same name).
struct SendTestEmail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sendtestemail",
        abstract: "Send a test email now with the EMAIL_* settings, and say what went wrong if it fails.",
        discussion: """
            Sends directly, not through the job queue, so the answer is immediate: e.g. \
            EMAIL_BACKEND=smtp EMAIL_HOST=smtp.example.com EMAIL_PORT=587 EMAIL_USE_TLS=1 app sendtestemail you@example.com
            """)

    @Argument(help: "Who to send it to (one or more addresses).")
    var addresses: [String]

    func run() async throws {
        let settings = Settings()
        bootstrapLogging(level: .info)  // the console backend writes the message to the log
        let mail = settings.mail
        guard mail.problems.isEmpty else {
            throw CommandFailure("the email settings are not usable: \(mail.problems.joined(separator: "; ")). See .env.example.")
        }
        let host = ProcessInfo.processInfo.hostName
        let message: EmailMessage
        do {
            message = try EmailMessage(from: mail.defaultFrom, to: addresses, subject: "Test email from \(host)",
                                       text: "If you're reading this, the email settings of the Croft site on \(host) work.\n\n"
                                           + "Backend: \(mail.backend.rawValue)\(mail.backend == .smtp ? " (\(mail.host):\(mail.port))" : "")\n")
        } catch {
            throw CommandFailure("\(error)")
        }
        do {
            try await Mailer(settings: mail).send(message)
        } catch {
            throw CommandFailure("the test email was not sent: \(error)")
        }
        switch mail.backend {
        case .console: print("written to the log (EMAIL_BACKEND=console); set EMAIL_BACKEND=smtp to send it")
        case .file: print("written to \(mail.filePath) (EMAIL_BACKEND=file)")
        case .smtp: print("sent to \(addresses.joined(separator: ", ")) through \(mail.host):\(mail.port)")
        }
    }
}
