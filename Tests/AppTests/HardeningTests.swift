import App
import Croft
import CroftTesting
import Foundation
import Synchronization
import Testing

/// What an attacker tried against the real site, on a socket: each answer is a 4xx, never a crash, and the
/// server keeps serving afterwards.
@Suite(.bothPollers) struct HardeningTests {
    /// Asserts the site still answers (a trap would have killed the process, and with it this test run).
    static func stillServing(_ site: LiveSite) async throws {
        #expect(try await site.visitor().get("/health").status == 200)
    }

    @Test func hugePageNumbersAreNotFoundNotACrash() async throws {
        try await LiveSite.with { site in
            let alice = try await NotesTests.signedUp(site, "alice@example.com")
            for page in ["9223372036854775807", "4611686018427387904", "461168601842738791", "2", "0", "-1",
                         "-9223372036854775808"] {
                #expect(try await alice.get("/notes?page=\(page)").status == 404, "page=\(page)")
            }
            #expect(try await alice.get("/notes?page=99999999999999999999").status == 400)  // not an Int
            #expect(try await alice.get("/notes?page=1").status == 200)
            try await Self.stillServing(site)
        }
    }

    @Test func staffUserListAnswersNotFoundPastTheEnd() async throws {
        try await LiveSite.with { site in
            _ = try await site.createUser("staff@example.com", staff: true)
            let staff = site.visitor()
            #expect(try await staff.logIn("staff@example.com").status == 303)
            #expect(try await staff.get("/staff/users/?page=9223372036854775807").status == 404)
            #expect(try await staff.get("/staff/users/?page=2").status == 404)
            #expect(try await staff.get("/staff/users/?page=1").status == 200)
            try await Self.stillServing(site)
        }
    }

    @Test func hugeFormsAreRefusedBeforeTheCSRFCheckDecodesThem() async throws {
        try await LiveSite.with { site in
            let visitor = site.visitor()
            try await visitor.get("/accounts/login")  // a session cookie and its CSRF token
            let form = [("Origin", visitor.origin), ("Content-Type", "application/x-www-form-urlencoded")]
            // 10 MB of "a&": under MAX_BODY_SIZE (10 MiB), over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
            let huge = try await visitor.send("POST", "/accounts/login", headers: form,
                                              body: String(repeating: "a&", count: 5_000_000))
            #expect(huge.status == 413)
            // 1,001 fields in 4 KB: over DATA_UPLOAD_MAX_NUMBER_FIELDS.
            let token = try #require(visitor.csrfToken)
            let many = try await visitor.send("POST", "/accounts/login", headers: form,
                                              body: "csrf_token=\(token)" + String(repeating: "&a", count: 1000))
            #expect(many.status == 400)
            #expect(many.text.contains("more than 1000 fields"))
            // 1,000 fields is still a form: a wrong password, answered as one.
            let fields = (0..<996).map { ("f\($0)", "x") } + [("email", "nobody@example.com"), ("password", "wrong")]
            let ok = try await visitor.post("/accounts/login", fields)
            #expect(ok.status == 422)
            try await Self.stillServing(site)
        }
    }

    @Test func formLimitsAreSettings() async throws {
        try await LiveSite.with(environment: ["DATA_UPLOAD_MAX_NUMBER_FIELDS": "5", "DATA_UPLOAD_MAX_MEMORY_SIZE": "300"]) { site in
            let visitor = site.visitor()
            try await visitor.get("/accounts/login")
            #expect(try await visitor.post("/accounts/login", [("email", "a@example.com"), ("password", "x")]).status == 422)
            #expect(try await visitor.post("/accounts/login", (0..<5).map { ("f\($0)", "x") }).status == 400)
            #expect(try await visitor.post("/accounts/login", [("email", String(repeating: "a", count: 300))]).status == 413)
        }
    }
}

/// `TRUSTED_PROXIES` behind `--host ::`, with ranges, and a warning when forwarded headers come from elsewhere.
@Suite(.bothPollers) struct TrustedProxyTests {
    static func signUpOverHTTPS(_ site: LiveSite, _ email: String) async throws -> (Visitor, RawResponse) {
        let visitor = site.visitor()
        try await visitor.get("/accounts/signup", headers: [("X-Forwarded-Proto", "https")])
        let response = try await visitor.post("/accounts/signup", [
            ("email", email), ("password", "correct horse"), ("password2", "correct horse"),
        ], headers: [("Origin", "https://\(visitor.host)"), ("X-Forwarded-Proto", "https")])
        return (visitor, response)
    }

    @Test func anIPv4ProxyIsRecognisedOnADualStackListener() async throws {
        // With --host ::, 127.0.0.1 arrives as ::ffff:127.0.0.1; it once failed the string comparison, so the
        // https Origin was refused (403) and no Secure cookie or HSTS was sent.
        try await LiveSite.with(host: "::") { site in
            let (visitor, response) = try await Self.signUpOverHTTPS(site, "dual@example.com")
            #expect(response.status == 303)
            #expect(visitor.lastSetCookies.first?.contains("; Secure") == true)
            #expect(response.header("Strict-Transport-Security") != nil)
        }
    }

    @Test func rangesAreAccepted() async throws {
        try await LiveSite.with(environment: ["TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.0/8"]) { site in
            let (visitor, response) = try await Self.signUpOverHTTPS(site, "range@example.com")
            #expect(response.status == 303)
            #expect(visitor.lastSetCookies.first?.contains("; Secure") == true)
        }
        try await LiveSite.with(environment: ["TRUSTED_PROXIES": "10.0.0.0/8"]) { site in
            let (_, response) = try await Self.signUpOverHTTPS(site, "outside@example.com")
            #expect(response.status == 403)  // not trusted: the https Origin does not match http://
        }
    }

    @Test func addressListsMatchNumerically() {
        let list: AddressList = ["127.0.0.1", "::1", "172.16.0.0/12", "fd00::/8", "192.168.1.0/31"]
        for inside in ["127.0.0.1", "::ffff:127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "172.16.0.1", "172.31.255.255",
                       "::ffff:172.20.1.2", "fd12:3456::1", "192.168.1.1"] {
            #expect(list.contains(inside), "\(inside)")
        }
        for outside in ["127.0.0.2", "172.32.0.1", "172.15.255.255", "fe80::1", "192.168.1.2", "", "localhost",
                        "127.0.0.1 ", "::ffff:10.0.0.1", String(repeating: "1", count: 10_000)] {
            #expect(!list.contains(outside), "\(outside)")
        }
        #expect(AddressList(["*"]).contains("203.0.113.9"))
        #expect(AddressList(["10.0.0.0/33", "nonsense", "::1/129", "1.2.3.4/-1", "10.0.0.0/"]).invalidEntries.count == 5)
        let settings = Settings(environment: ["BASE_DIR": "/nonexistent", "TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"])
        #expect(settings.problems.contains { $0.contains("proxy.local") })
    }

    @Test func forwardedHeadersFromAnUntrustedPeerAreLoggedOnce() async throws {
        let messages = CapturedLog()
        let logger = Logger(label: "test") { _ in messages }
        let headers = SecurityHeadersMiddleware(trustedProxies: ["10.0.0.1"], logger: logger)
        let next: Handler = { _ in .text("ok") }
        for peer in ["203.0.113.9", "203.0.113.10"] {
            _ = try await headers.respond(to: Request(method: .get, target: "/", headers: ["X-Forwarded-Proto": "https"],
                                                      remoteAddress: peer), next: next)
        }
        _ = try await headers.respond(to: Request(method: .get, target: "/", headers: ["X-Forwarded-For": "1.2.3.4"],
                                                  remoteAddress: "10.0.0.1"), next: next)
        let warnings = messages.lines
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("203.0.113.9") == true && warnings.first?.contains("TRUSTED_PROXIES") == true)
    }
}

/// A log handler that keeps warnings and above, for tests that assert what was logged.
final class CapturedLog: LogHandler, Sendable {
    private let captured = Mutex<[String]>([])
    private let settings = Mutex<(metadata: Logger.Metadata, level: Logger.Level)>(([:], .trace))

    var metadata: Logger.Metadata {
        get { settings.withLock { $0.metadata } }
        set { settings.withLock { $0.metadata = newValue } }
    }

    var logLevel: Logger.Level {
        get { settings.withLock { $0.level } }
        set { settings.withLock { $0.level = newValue } }
    }

    var lines: [String] { captured.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.level >= .warning else { return }
        captured.withLock { $0.append(event.message.description) }
    }
}

/// Dates, lengths and numbers in headers from outside are checked before any conversion can trap.
@Suite(.bothPollers) struct HeaderNumberTests {
    @Test func outOfRangeDatesInConditionalHeadersAreIgnored() async throws {
        try await LiveSite.with { site in
            let visitor = site.visitor()
            let path = "/static/css/app.css"
            // Int32(9999999999) once trapped in HTTPDate.parse and took the process down.
            for date in ["Sun, 06 Nov 9999999999 08:49:37 GMT", "Sun, 99999999999 Nov 1994 08:49:37 GMT",
                         "Sun, 06 Nov -9223372036854775808 08:49:37 GMT", "Sun, 06 Nov 1994 99999999999:49:37 GMT",
                         "Sun, 06 Nov 1994 08:49:99999999999 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
                         "Sun, 6 Nov 1994 8:49:37 GMT", "Sun, 06 Nov 1994 08::37 GMT"] {
                #expect(try await visitor.get(path, headers: [("If-Modified-Since", date)]).status == 200, "\(date)")
                let ranged = try await visitor.get(path, headers: [("Range", "bytes=0-0"), ("If-Range", date)])
                #expect(ranged.status == 200, "If-Range \(date)")  // an If-Range that does not match: the whole file
            }
            #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
            #expect(HTTPDate.format(epochSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
            try await HardeningTests.stillServing(site)
        }
    }
}

/// Routing answers before CSRF: a missing page is a 404 and a wrong method a 405, as in Django.
@Suite(.bothPollers) struct RoutingBeforeCSRFTests {
    @Test func unknownPathsAndMethodsAreNotCSRFFailures() async throws {
        try await LiveSite.with { site in
            let visitor = site.visitor()
            #expect(try await visitor.post("/no-such-page", csrf: false).status == 404)
            #expect(try await visitor.post("/notes/1/nothing", csrf: false).status == 404)
            let wrongMethod = try await visitor.send("PATCH", "/accounts/login", headers: [("Origin", visitor.origin)], body: "")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow")?.contains("POST") == true)
            #expect(try await visitor.send("DELETE", "/", headers: [], body: nil).status == 405)
            // A page that exists still needs its token.
            #expect(try await visitor.post("/accounts/login", [("email", "a@example.com")], csrf: false).status == 403)
        }
    }
}
