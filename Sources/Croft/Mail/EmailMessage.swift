import Crypto
import Foundation

/// One email: sender, recipients, subject, a text part and an optional HTML part.
///
/// `Codable`, so it travels through the job queue as it is; its `Date` and `Message-ID` are fixed when it
/// is made, so a retried send is the same message (a receiver can tell a duplicate).
///
/// ```swift
/// let message = try EmailMessage(from: mail.defaultFrom, to: ["ada@example.com"], subject: "Hello",
///                                text: "Plain text", html: "<p>HTML</p>")
/// ```
public struct EmailMessage: Codable, Sendable, Equatable {
    /// The sender (`From`, and the envelope's `MAIL FROM`).
    public var from: EmailAddress
    /// The recipients (`To`).
    public var to: [EmailAddress]
    /// `Reply-To`, if any.
    public var replyTo: EmailAddress?
    /// The subject, one line.
    public var subject: String
    /// The plain-text part (always sent).
    public var text: String
    /// The HTML part; with it the message is `multipart/alternative`.
    public var html: String?
    /// When it was written (`Date`).
    public var date: Date
    /// `<…@domain>`, unique per message.
    public var messageID: String

    /// A message from `from` (an address or `Name <address>`) to each of `to`.
    public init(from: String, to: [String], subject: String, text: String, html: String? = nil,
                replyTo: String? = nil, date: Date = Date()) throws(MailError) {
        let sender = try EmailAddress(parsing: from)
        var recipients: [EmailAddress] = []
        for recipient in to { recipients.append(try EmailAddress(parsing: recipient)) }
        guard !recipients.isEmpty else { throw .noRecipients }
        self.from = sender
        self.to = recipients
        self.replyTo = try replyTo.map { (text) throws(MailError) in try EmailAddress(parsing: text) }
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        var random = SystemRandomNumberGenerator()
        let token = (0..<2).map { _ in String(random.next() as UInt64, radix: 36) }.joined(separator: ".")
        self.messageID = "<\(Int(date.timeIntervalSince1970)).\(token)@\(sender.domain)>"
    }

    /// The message as sent: headers and body, CRLF line ends, 7-bit clean.
    public func mime() -> [UInt8] {
        var headers = [
            "Date: " + MIMEEncoding.date(date),
            "From: " + from.headerValue,
            "To: " + Self.addressList(to),
        ]
        if let replyTo { headers.append("Reply-To: " + replyTo.headerValue) }
        headers += ["Subject: " + MIMEEncoding.headerText(subject), "Message-ID: " + messageID, "MIME-Version: 1.0"]
        var body: [String]
        if let html {
            // The boundary is a hash of the content, so it cannot occur in it by chance or by design.
            let digest = SHA256.hash(data: Data((text + "\u{0}" + html + messageID).utf8))
            let boundary = "=_croft_" + digest.prefix(12).map { String(format: "%02x", $0) }.joined()
            headers.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            body = ["--" + boundary] + part(text, type: "text/plain") + ["", "--" + boundary] + part(html, type: "text/html")
                + ["", "--" + boundary + "--", ""]
        } else {
            let single = part(text, type: "text/plain")
            headers += single.prefix(2)
            body = Array(single.dropFirst(3))
            body.append("")
        }
        return Array((headers.joined(separator: "\r\n") + "\r\n\r\n" + body.joined(separator: "\r\n")).utf8)
    }

    /// Mailboxes for a header: on one line while it is short, else one per folded line. (Folding at spaces
    /// afterwards would split the folds an encoded name already has, and could end the header section.)
    static func addressList(_ mailboxes: [EmailAddress]) -> String {
        let values = mailboxes.map(\.headerValue)
        let line = values.joined(separator: ", ")
        return line.utf8.count <= 70 && !line.contains("\r\n") ? line : values.joined(separator: ",\r\n ")
    }

    /// A part's two headers, a blank line and its encoded text, as lines.
    private func part(_ content: String, type: String) -> [String] {
        let sevenBit = MIMEEncoding.isSevenBit(content)
        let encoded = sevenBit ? MIMEEncoding.normalizedLineEnds(content) : MIMEEncoding.quotedPrintable(content)
        return ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: " + (sevenBit ? "7bit" : "quoted-printable"), ""]
            + encoded.components(separatedBy: "\r\n")
    }
}
