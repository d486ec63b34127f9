import Croft
import Foundation

/// `app check --deploy`: every setting that is unsafe for production, with how to fix it (like Django's).
public enum DeploymentChecks {
    /// One finding.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        /// A stable id (`croft.E001` errors, `croft.W001` warnings).
        public let id: String
        /// What is wrong and how to fix it.
        public let message: String

        public var description: String { "\(id): \(message)" }
    }

    /// Checks the settings (and the files they name) for production use.
    public static func run(_ settings: Settings) -> [Finding] {
        var findings: [Finding] = []
        func add(_ id: String, _ message: String) { findings.append(Finding(id: id, message: message)) }
        if settings.debug {
            add("croft.E001", "DEBUG is on: error pages show internals. Set DEBUG=false in production.")
        }
        if !settings.isProduction {
            add("croft.W001", "ENVIRONMENT is '\(settings.environment)': set ENVIRONMENT=production (templates are then compiled at start-up and pending migrations refuse to serve).")
        }
        if let key = settings.values["SECRET_KEY"], !key.isEmpty {
            if key.count < 32 || Set(key).count < 5 {
                add("croft.E002", "SECRET_KEY is short or repetitive: use at least 32 random characters (e.g. `openssl rand -hex 32`).")
            }
        } else {
            let path = settings.dataDirectory + "/.secret_key"
            if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
               let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
                add("croft.E003", "\(path) is readable by other users (mode \(String(mode, radix: 8))): chmod 600 it.")
            }
            add("croft.W002", "SECRET_KEY is not set: the key in data/.secret_key is used. Fine for one server; set SECRET_KEY when several processes or hosts must share sessions.")
        }
        if settings.allowedHosts.isEmpty {
            add("croft.E004", "ALLOWED_HOSTS is empty: every request but /health gets 400. Set it to your domain, e.g. ALLOWED_HOSTS=example.com.")
        } else if settings.allowedHosts.contains("*") {
            add("croft.E005", "ALLOWED_HOSTS contains '*': any Host header is accepted (host-header poisoning). List your domains.")
        }
        if settings.trustedProxies.matchesAny {
            add("croft.W003", "TRUSTED_PROXIES contains '*': any client can claim HTTPS and spoof its address. List your proxy's addresses.")
        }
        if settings.passwordIterations < 600_000 {
            add("croft.W004", "PASSWORD_ITERATIONS is \(settings.passwordIterations): below OWASP's 600,000 for PBKDF2-SHA256 (Django 6 uses 1,200,000).")
        }
        if [.trace, .debug].contains(settings.logLevel) {
            add("croft.W005", "LOG_LEVEL is \(settings.logLevel): debug logs are large and may include request details. Use info.")
        }
        if !settings.problems.isEmpty {
            add("croft.E006", "settings that do not parse or that SQLite would ignore: \(settings.problems.joined(separator: "; ")). The site refuses to start with them; correct them (see .env.example).")
        }
        let database = settings.databaseConfiguration
        if database.synchronous == .off {
            add("croft.W007", "SQLITE_SYNCHRONOUS is OFF: an OS crash or power loss can corrupt the database. Use NORMAL (the default; safe with WAL).")
        }
        if !database.foreignKeys {
            add("croft.W008", "SQLITE_FOREIGN_KEYS is off: REFERENCES and ON DELETE rules are not enforced, so orphaned rows go unnoticed. Leave it on.")
        }
        let mail = settings.mail
        switch mail.backend {
        case .console:
            add("croft.W009", "EMAIL_BACKEND is console: password-reset, verification and invitation emails only reach the log. Set EMAIL_BACKEND=smtp with EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS=1 (check with `app sendtestemail you@example.com`).")
        case .file:
            add("croft.W010", "EMAIL_BACKEND is file: emails are written to \(mail.filePath), not sent. Fine for staging; use smtp in production.")
        case .smtp:
            if !mail.useTLS && !mail.useSSL && !["localhost", "127.0.0.1", "::1"].contains(mail.host) {
                add("croft.W011", "EMAIL_USE_TLS and EMAIL_USE_SSL are off for \(mail.host): the password and every email cross the network in clear. Set EMAIL_USE_TLS=1 (port 587) or EMAIL_USE_SSL=1 (port 465).")
            }
        }
        if mail.defaultFrom.hasSuffix("@localhost") {
            add("croft.W012", "DEFAULT_FROM_EMAIL is \(mail.defaultFrom): mail servers refuse or spam-folder it. Set an address at your domain, e.g. DEFAULT_FROM_EMAIL=\"Example <noreply@example.com>\".")
        }
        if let attributes = try? FileManager.default.attributesOfItem(atPath: settings.dataDirectory),
           let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o007 != 0 {
            add("croft.W006", "\(settings.dataDirectory) is accessible to every user (mode \(String(mode, radix: 8))): chmod 750 it; it holds the database and backups.")
        }
        return findings
    }
}
