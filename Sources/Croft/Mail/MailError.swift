/// Why a message was not sent, with what to do about it.
public enum MailError: Error, Sendable, Equatable, CustomStringConvertible, JobFailure {
    /// An address or display name that cannot be written into a message safely.
    case invalidAddress(String)
    /// A message with nobody to send it to.
    case noRecipients
    /// A message over `EMAIL_MAX_SIZE`.
    case tooLarge(size: Int, limit: Int)
    /// The email template is missing or did not render.
    case template(name: String, reason: String)
    /// The `file` backend could not write.
    case file(path: String, reason: String)
    /// The SMTP exchange failed: libcurl's error, the server's last reply code (0 when none) and text.
    case smtp(curlCode: Int, replyCode: Int, message: String)

    public var description: String {
        switch self {
        case .invalidAddress(let text): "not a usable email address: \"\(text)\" (write name@example.com or Name <name@example.com>)"
        case .noRecipients: "the message has no recipient"
        case .tooLarge(let size, let limit): "the message is \(size) bytes, more than EMAIL_MAX_SIZE (\(limit))"
        case .template(let name, let reason): "email template \(name): \(reason)"
        case .file(let path, let reason): "could not write \(path): \(reason) (check EMAIL_FILE_PATH and its permissions)"
        case .smtp(let curlCode, let replyCode, let message):
            "SMTP: \(message)" + (replyCode >= 400 ? " (server replied \(replyCode))" : "") + " [curl \(curlCode)]" + hint
        }
    }

    /// What to check, for the failures a setting causes.
    private var hint: String {
        guard case .smtp(let curlCode, let replyCode, _) = self else { return "" }
        switch (curlCode, replyCode) {
        case (67, _), (_, 535): return "; check EMAIL_HOST_USER and EMAIL_HOST_PASSWORD"
        case (_, 530): return "; the server wants AUTH: set EMAIL_HOST_USER/EMAIL_HOST_PASSWORD (and EMAIL_USE_TLS)"
        case (60, _), (77, _): return "; the server's certificate is not trusted: check EMAIL_HOST, or EMAIL_SSL_CAFILE for a private CA"
        case (64, _): return "; the server does not offer STARTTLS: check EMAIL_PORT and EMAIL_USE_TLS/EMAIL_USE_SSL"
        case (35, _): return "; TLS failed: EMAIL_USE_SSL wants an implicit-TLS port (465), EMAIL_USE_TLS a STARTTLS one (587)"
        case (6, _): return "; EMAIL_HOST does not resolve"
        case (7, _), (28, _): return "; is the server at EMAIL_HOST:EMAIL_PORT up?"
        default: return ""
        }
    }

    /// Whether sending again cannot help: a 5xx reply, bad credentials, an untrusted certificate, a message
    /// that is itself wrong. A connection that failed, timed out or got a 4xx is worth another try.
    public var isPermanent: Bool {
        switch self {
        case .invalidAddress, .noRecipients, .tooLarge, .template: return true
        case .file: return false
        case .smtp(let curlCode, let replyCode, _):
            if replyCode >= 500 { return true }
            if replyCode >= 400 { return false }
            // libcurl's own: unsupported protocol, bad URL, untrusted certificate, no STARTTLS, login denied,
            // bad CA file.
            return [1, 3, 60, 64, 67, 77].contains(curlCode)
        }
    }
}
