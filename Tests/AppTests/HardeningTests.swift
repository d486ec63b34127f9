import App
import Croft
import CroftTesting
import Foundation
import Testing

/// What an attacker tried against the real site, on a socket: each answer is a 4xx, never a crash, and the
/// server keeps serving afterwards.
@Suite struct HardeningTests {
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
