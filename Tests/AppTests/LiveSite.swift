import App
import Croft
import CroftTesting
import Foundation
import Synchronization

/// The real site on an ephemeral port: temp BASE_DIR with the repository's Public/ and Templates/,
/// a migrated SQLite file, fast password hashing.
final class LiveSite: Sendable {
    let directory: TemporaryDirectory
    let database: DatabasePool
    let app: Application
    let server: Server
    var port: Int { server.port }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    init(environment extra: [String: String] = [:], host: String = "127.0.0.1") throws {
        directory = try TemporaryDirectory()
        for folder in ["Public", "Templates"] {
            try FileManager.default.createSymbolicLink(
                atPath: directory.path + "/" + folder, withDestinationPath: Self.repository + "/" + folder)
        }
        // A long hashing wait: a full parallel test run keeps both cores busy, and a 503 there is not the test's.
        var environment = ["BASE_DIR": directory.path, "PASSWORD_ITERATIONS": "1000", "LOG_LEVEL": "critical",
                           "PASSWORD_HASH_WAIT": "120"]
        environment.merge(extra) { _, new in new }
        let settings = Settings(environment: environment)
        database = try Site.openDatabase(settings)
        _ = try Site.migrator.migrate(database)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        app = try Site.makeApplication(settings: settings, logger: logger, database: database)
        var configuration = app.serverConfiguration
        configuration.host = host
        configuration.port = 0
        configuration.eventLoopCount = 1
        if let poller = PollerUnderTest.current { configuration.poller = poller }
        server = app.makeServer(configuration: configuration)
        try server.start()
    }

    func stop() async {
        await server.shutdown()
        app.closeResources()
        database.close()
    }

    /// Runs `body` with a started site and always stops it.
    static func with<T>(environment: [String: String] = [:], host: String = "127.0.0.1",
                        _ body: (LiveSite) async throws -> T) async throws -> T {
        let site = try LiveSite(environment: environment, host: host)
        do {
            let result = try await body(site)
            await site.stop()
            return result
        } catch {
            await site.stop()
            throw error
        }
    }

    /// A new visitor with an empty cookie jar.
    func visitor() -> Visitor { Visitor(port: port) }

    /// Creates an account directly (fast), optionally staff.
    func createUser(_ email: String, password: String = "correct horse", staff: Bool = false) async throws -> User {
        guard case .created(let user) = try await Accounts.signUp(
            email: email, password: password, isStaff: staff, settings: app.settings, db: database, verified: true)
        else { throw RawClient.ClientError.malformed("could not create \(email)") }
        return user
    }
}

/// A browser-like client: a cookie jar, the last page's CSRF token, forms posted with an Origin header.
/// Its state sits behind a `Mutex`, so task groups can hand visitors to tasks (like browser tabs).
final class Visitor: Sendable {
    private struct Jar {
        var cookies: [String: String] = [:]
        var lastSetCookies: [String] = []
        var csrfToken: String?
        var host: String
    }

    let port: Int
    private let jar: Mutex<Jar>

    var cookies: [String: String] {
        get { jar.withLock { $0.cookies } }
        set { jar.withLock { $0.cookies = newValue } }
    }
    var lastSetCookies: [String] {
        get { jar.withLock { $0.lastSetCookies } }
        set { jar.withLock { $0.lastSetCookies = newValue } }
    }
    var csrfToken: String? {
        get { jar.withLock { $0.csrfToken } }
        set { jar.withLock { $0.csrfToken = newValue } }
    }
    var host: String {
        get { jar.withLock { $0.host } }
        set { jar.withLock { $0.host = newValue } }
    }

    init(port: Int) {
        self.port = port
        jar = Mutex(Jar(host: "127.0.0.1:\(port)"))
    }

    var origin: String { "http://\(host)" }

    @discardableResult
    func get(_ target: String, headers: [(String, String)] = []) async throws -> RawResponse {
        try await send("GET", target, headers: headers, body: nil)
    }

    /// Posts a form; the CSRF token of the last page is added unless `csrf` is false.
    @discardableResult
    func post(_ target: String, _ fields: [(String, String)] = [], csrf: Bool = true,
              headers: [(String, String)]? = nil) async throws -> RawResponse {
        var fields = fields
        if csrf, let csrfToken { fields.append(("csrf_token", csrfToken)) }
        let body = fields.map { "\(FormDecoding.percentEncode($0.0))=\(FormDecoding.percentEncode($0.1))" }.joined(separator: "&")
        return try await send("POST", target, headers: (headers ?? [("Origin", origin)]) + [
            ("Content-Type", "application/x-www-form-urlencoded"),
        ], body: body)
    }

    func send(_ method: String, _ target: String, headers: [(String, String)], body: String?) async throws -> RawResponse {
        let client = try RawClient(port: port)
        var all = headers
        if !all.contains(where: { $0.0 == "Host" }) { all.insert(("Host", host), at: 0) }
        if !cookies.isEmpty { all.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))) }
        var text = "\(method) \(target) HTTP/1.1\r\n"
        for (name, value) in all { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "Connection: close\r\n\r\n" + (body ?? "")
        try await client.send(text)
        let response = try await client.readResponse(head: method == "HEAD")
        lastSetCookies = response.headers.filter { $0.0.lowercased() == "set-cookie" }.map(\.1)
        for header in lastSetCookies {
            let pair = header.split(separator: ";")[0]
            let name = String(pair.prefix { $0 != "=" })
            let value = String(pair.dropFirst(name.count + 1))
            jar.withLock { jar in
                if header.contains("Max-Age=0") { jar.cookies.removeValue(forKey: name) } else { jar.cookies[name] = value }
            }
        }
        if let range = response.text.range(of: #"name="csrf_token" value="[^"]+""#, options: .regularExpression) {
            csrfToken = String(response.text[range].dropFirst(#"name="csrf_token" value=""#.count).dropLast())
        }
        return response
    }

    /// Signs up through the form (fetching it first for the CSRF token).
    @discardableResult
    func signUp(_ email: String, password: String = "correct horse", name: String = "") async throws -> RawResponse {
        try await get("/accounts/signup")
        return try await post("/accounts/signup", [
            ("email", email), ("display_name", name), ("password", password), ("password2", password),
        ])
    }

    /// Logs in through the form.
    @discardableResult
    func logIn(_ email: String, password: String = "correct horse", next: String = "") async throws -> RawResponse {
        try await get("/accounts/login")
        return try await post("/accounts/login", [("email", email), ("password", password), ("next", next)])
    }
}
