import Foundation

/// Sends email with the backend `EMAIL_BACKEND` names, and writes messages from templates.
///
/// Pages never send directly: they ``queue(_:in:)`` the message in the same transaction as the change
/// that causes it, and a worker's ``SendEmailJob`` sends it, retrying with backoff while the server is
/// away and stopping at a permanent refusal (a 5xx), which `/staff/jobs` then shows.
///
/// ```swift
/// let message = try mailer.message(template: "email/password_reset", to: user.email, context: ["link": .string(link)])
/// try await db.write { db in try mailer.queue(message, in: db) }
/// ```
public struct Mailer: Sendable {
    /// The settings in force.
    public let settings: MailSettings
    /// Where the `console` backend writes.
    public let logger: Logger
    /// The templates messages are written from (`Templates/email/`), when there are any.
    public let templates: TemplateEnvironment?

    /// A mailer for these settings.
    public init(settings: MailSettings, templates: TemplateEnvironment? = nil, logger: Logger = Logger(label: "croft.mail")) {
        self.settings = settings
        self.templates = templates
        self.logger = logger
    }

    /// Sends now, with the configured backend. For commands and jobs; a page queues instead.
    public func send(_ message: EmailMessage) async throws(MailError) {
        var message = message
        if !settings.subjectPrefix.isEmpty { message.subject = settings.subjectPrefix + message.subject }
        let size = message.mime().count
        guard size <= settings.maxSize else { throw .tooLarge(size: size, limit: settings.maxSize) }
        switch settings.backend {
        case .console: logger.info("\(Self.readable(message))")
        case .file: try writeFile(message)
        case .smtp: try await SMTPTransport(settings: settings).send(message)
        }
    }

    /// Queues `message` for a worker to send, in `db`'s transaction: it goes if and only if the
    /// transaction commits. Returns the job's id.
    @discardableResult
    public func queue(_ message: EmailMessage, in db: Connection) throws -> Int64? {
        let size = message.mime().count
        guard size <= settings.maxSize else { throw MailError.tooLarge(size: size, limit: settings.maxSize) }
        return try JobQueue.enqueue(SendEmailJob(message: message), in: db)
    }

    /// A message written from templates: `NAME_subject.txt` (one line), `NAME.txt` (the text part) and,
    /// when it exists, `NAME.html` (the HTML part), as Django's password-reset email is. The text
    /// templates are rendered without HTML escaping; the HTML one escapes as pages do.
    public func message(template name: String, to recipients: [String], context: [String: TemplateValue],
                        from: String? = nil, replyTo: String? = nil) throws(MailError) -> EmailMessage {
        guard let templates else { throw .template(name: name, reason: "the mailer has no templates") }
        func render(_ file: String, escaping: Bool) throws(MailError) -> String? {
            do {
                return try templates.render(file, context: context, autoescape: escaping)
            } catch let error as TemplateError where error.kind == .templateNotFound && error.template == file {
                return nil
            } catch {
                throw .template(name: file, reason: "\(error)")
            }
        }
        guard let subject = try render(name + "_subject.txt", escaping: false) else {
            throw .template(name: name + "_subject.txt", reason: "not found in the templates folder")
        }
        guard let text = try render(name + ".txt", escaping: false) else {
            throw .template(name: name + ".txt", reason: "not found in the templates folder")
        }
        let html = try render(name + ".html", escaping: true)
        // Django's rule: a subject is one line (a template's trailing newline or a stray one is dropped).
        let line = subject.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        return try EmailMessage(from: from ?? settings.defaultFrom, to: recipients, subject: line, text: text,
                                html: html, replyTo: replyTo)
    }

    /// `data/mail/<time>-<id>.eml`, written whole or not at all.
    private func writeFile(_ message: EmailMessage) throws(MailError) {
        let directory = settings.filePath
        let stamp = String(format: "%.6f", message.date.timeIntervalSince1970)
        let id = message.messageID.dropFirst().prefix { $0 != "@" }.replacingOccurrences(of: ".", with: "-")
        let path = "\(directory)/\(stamp)-\(id).eml"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(message.mime()).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .file(path: path, reason: error.localizedDescription)
        }
    }

    /// The message as a person reads it, for the console: the headers unencoded, then each part as text
    /// (a link in it stays whole, to click in a development log).
    static func readable(_ message: EmailMessage) -> String {
        var lines = ["Email", "From: \(message.from)", "To: \(message.to.map(\.description).joined(separator: ", "))"]
        if let replyTo = message.replyTo { lines.append("Reply-To: \(replyTo)") }
        lines += ["Subject: \(message.subject)", "Date: \(MIMEEncoding.date(message.date))", "Message-ID: \(message.messageID)",
                  "", message.text]
        if let html = message.html { lines += ["", "--- text/html ---", html] }
        return lines.joined(separator: "\n")
    }
}

/// Sends one queued ``EmailMessage`` with the worker's settings. Up to 10 attempts over 9 to 17 minutes
/// (the default backoff) while a server is away; a permanent refusal fails it at once.
public struct SendEmailJob: Job {
    public static let name = "croft.send_email"
    public static var maxAttempts: Int { 10 }
    /// A message may hold a working link (a password reset, an invitation): erased once sent.
    public static var keepsPayloadWhenDone: Bool { false }

    /// The message, as it will be sent.
    public let message: EmailMessage

    /// A job for `message`.
    public init(message: EmailMessage) {
        self.message = message
    }

    public func run(_ context: JobContext) async throws {
        try await Mailer(settings: context.settings.mail, logger: context.logger).send(message)
        context.logger.info("sent email \(message.messageID) to \(message.to.count) recipient(s)")
    }
}
