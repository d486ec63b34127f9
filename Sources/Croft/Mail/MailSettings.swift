/// The email variables, Django's names where Django has them, read from the same sources as ``Settings``;
/// reach them as `settings.mail`. Every variable is in `.env.example`.
public struct MailSettings: Sendable {
    /// Where messages go.
    public enum Backend: String, Sendable, CaseIterable {
        /// The whole message in the log (the development default).
        case console
        /// One `.eml` file per message in ``MailSettings/filePath`` (staging).
        case file
        /// An SMTP server (``MailSettings/host``), through libcurl.
        case smtp
    }

    /// `EMAIL_BACKEND`: `console` (default), `file` or `smtp`; Django's dotted names
    /// (`django.core.mail.backends.smtp.EmailBackend`) are read as the short ones.
    public var backend: Backend
    /// `EMAIL_HOST` (`localhost`) and `EMAIL_PORT` (25; 587 for STARTTLS, 465 for implicit TLS).
    public var host: String
    /// See ``host``.
    public var port: Int
    /// `EMAIL_HOST_USER` and `EMAIL_HOST_PASSWORD`: AUTH credentials; no AUTH when the user is empty.
    public var user: String
    /// See ``user``. Never logged.
    public var password: String
    /// `EMAIL_USE_TLS`: STARTTLS, required (the connection fails rather than send in clear).
    public var useTLS: Bool
    /// `EMAIL_USE_SSL`: TLS from the first byte (port 465). Not together with ``useTLS``.
    public var useSSL: Bool
    /// `EMAIL_TIMEOUT`: seconds for connecting and for the whole exchange (30).
    public var timeoutSeconds: Int
    /// `DEFAULT_FROM_EMAIL`: the sender when a message names none (`webmaster@localhost`, as Django).
    public var defaultFrom: String
    /// `EMAIL_FILE_PATH`: the `file` backend's folder (`data/mail`).
    public var filePath: String
    /// `EMAIL_SSL_CAFILE`: a PEM file of certificates to trust for the server's (a private CA); the
    /// system's roots when unset. Croft's own variable.
    public var caFile: String?
    /// `EMAIL_SUBJECT_PREFIX`: put before the subject of every message (empty; Django uses it for admin mail).
    public var subjectPrefix: String
    /// `EMAIL_MAX_SIZE`: the largest message, in bytes (10 MB), refused before it is queued.
    public var maxSize: Int

    /// Values that did not parse, or that contradict each other; part of ``Settings/problems``.
    public let problems: [String]

    /// Reads the variables from `settings.values`.
    public init(_ settings: Settings) {
        var reader = SettingValues(settings)
        var backendName = reader.text("EMAIL_BACKEND")?.lowercased()
        if let name = backendName, name.hasSuffix(".emailbackend") {
            // django.core.mail.backends.smtp.EmailBackend → smtp
            backendName = name.split(separator: ".").dropLast().last.map(String.init) ?? name
            if backendName == "filebased" { backendName = "file" }
        }
        backend = .console
        if let backendName {
            if let chosen = Backend(rawValue: backendName) {
                backend = chosen
            } else {
                reader.problem("EMAIL_BACKEND=\"\(reader.text("EMAIL_BACKEND") ?? "")\" is not one of console, file, smtp")
            }
        }
        host = reader.text("EMAIL_HOST") ?? "localhost"
        port = reader.number("EMAIL_PORT", 25, 1...65535)
        user = reader.text("EMAIL_HOST_USER") ?? ""
        password = settings.values["EMAIL_HOST_PASSWORD"] ?? ""
        useTLS = reader.flag("EMAIL_USE_TLS", false)
        useSSL = reader.flag("EMAIL_USE_SSL", false)
        if useTLS && useSSL {
            reader.problem("EMAIL_USE_TLS and EMAIL_USE_SSL are both on: choose STARTTLS (TLS, port 587) or implicit TLS (SSL, port 465)")
        }
        timeoutSeconds = reader.number("EMAIL_TIMEOUT", 30, 1...3600)
        defaultFrom = reader.text("DEFAULT_FROM_EMAIL") ?? "webmaster@localhost"
        if (try? EmailAddress(parsing: defaultFrom)) == nil {
            reader.problem("DEFAULT_FROM_EMAIL=\"\(defaultFrom)\" is not an address (name@example.com or Name <name@example.com>)")
        }
        filePath = reader.path("EMAIL_FILE_PATH", settings.dataDirectory + "/mail")
        caFile = reader.text("EMAIL_SSL_CAFILE").map { reader.path("EMAIL_SSL_CAFILE", $0) }
        subjectPrefix = settings.values["EMAIL_SUBJECT_PREFIX"] ?? ""
        maxSize = reader.number("EMAIL_MAX_SIZE", 10_000_000, 1_000...1_000_000_000)
        problems = reader.problems
    }
}

extension Settings {
    /// The email settings.
    public var mail: MailSettings { MailSettings(self) }
}
