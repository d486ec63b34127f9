import CroftTesting
import Foundation
import Testing
@testable import Croft

@Suite struct PasswordHasherTests {
    @Test func matchesDjangosPBKDF2Format() throws {
        // Computed with Python's hashlib.pbkdf2_hmac('sha256', 'lètmein', 'seasalt2', 1000), as Django does.
        let hasher = PasswordHasher(iterations: 1000)
        let encoded = try hasher.hash("lètmein", salt: "seasalt2", iterations: 1000)
        #expect(encoded == "pbkdf2_sha256$1000$seasalt2$ABPNVLVV1vRC5OnBCpgwRvsTOJaXds28OSzNig3GR2M=")
        #expect(try hasher.verify("lètmein", against: encoded))
        #expect(try !hasher.verify("letmein", against: encoded))
    }

    @Test func hashesWithFreshSaltsAndFlagsOldIterationCounts() throws {
        let hasher = PasswordHasher(iterations: 2000)
        let first = try hasher.hash("secret")
        let second = try hasher.hash("secret")
        #expect(first != second)
        #expect(first.hasPrefix("pbkdf2_sha256$2000$"))
        #expect(!hasher.needsRehash(first))
        #expect(PasswordHasher(iterations: 4000).needsRehash(first))
        #expect(throws: PasswordHasher.HashError.unrecognizedFormat) { try hasher.verify("x", against: "md5$abc") }
    }

    @Test func usesDjango6IterationsByDefault() {
        #expect(PasswordHasher().iterations == 1_200_000)
    }
}

@Suite struct CookieTests {
    @Test func parsesCookieHeaders() {
        let request = Request(method: .get, target: "/", headers: ["Cookie": "a=1; session=abc; quoted=\"x y\"; a=2"])
        #expect(request.cookies == ["a": "1", "session": "abc", "quoted": "x y"])
    }

    @Test func writesSafeSetCookieDefaults() {
        let cookie = SetCookie(name: "session", value: "abc", secure: true)
        #expect(cookie.headerValue == "session=abc; Path=/; HttpOnly; Secure; SameSite=Lax")
        let deletion = SetCookie(name: "session", value: "", maxAge: 0)
        #expect(deletion.headerValue.contains("Max-Age=0"))
        #expect(deletion.headerValue.contains("Expires=Thu, 01 Jan 1970 00:00:00 GMT"))
    }
}

@Suite struct AllowedHostsTests {
    static let cases: [(String?, Bool)] = [
        ("example.com", true), ("example.com:8000", true), ("EXAMPLE.com.", true), ("www.example.com", false),
        ("api.shop.test", true), ("shop.test", true), ("evil.com", false), ("[::1]:8000", true), (nil, false),
        ("example.com.evil.com", false),
    ]

    @Test(arguments: cases)
    func checksHostHeaders(_ testCase: (String?, Bool)) {
        let middleware = AllowedHostsMiddleware(hosts: ["example.com", ".shop.test", "[::1]"])
        #expect(middleware.isAllowed(testCase.0) == testCase.1)
    }

    @Test func refusesUnknownHostsWith400ButAnswersHealth() async throws {
        let builder = ApplicationBuilder(settings: Settings(environment: ["ALLOWED_HOSTS": "example.com"]))
        try builder.router.get("/") { _ in .text("home") }
        try builder.router.get("/health") { _ in .text("ok") }
        let app = builder.build()
        let bad = await app.respond(to: Request(method: .get, target: "/", headers: ["Host": "evil.com"]))
        #expect(bad.status == .badRequest)
        #expect(bad.headers["X-Frame-Options"] == "DENY")  // outer middleware still saw a response
        #expect(await app.respond(to: Request(method: .get, target: "/", headers: ["Host": "example.com"])).status == .ok)
        #expect(await app.respond(to: Request(method: .get, target: "/health", headers: ["Host": "10.0.0.7:8000"])).status == .ok)
    }
}

@Suite struct SecretKeyTests {
    @Test func generatesOnceWithMode0600AndKeepsIt() throws {
        let directory = try TemporaryDirectory()
        let settings = Settings(environment: ["BASE_DIR": directory.path])
        let first = try SecretKey.load(settings: settings)
        guard case .generated(let path) = first.source else { Issue.record("expected a generated key"); return }
        #expect(first.key.count == 64)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let second = try SecretKey.load(settings: settings)
        #expect(second.key == first.key)
        #expect(second.source == .file(path))
        let fromEnvironment = try SecretKey.load(settings: Settings(environment: ["BASE_DIR": directory.path, "SECRET_KEY": "s3cret"]))
        #expect(fromEnvironment.key == "s3cret" && fromEnvironment.source == .environment)
    }
}
