import App
import Croft
import CroftTesting
import Foundation
import Testing

/// Accounts over a real socket: every flow, and every refusal.
@Suite(.bothPollers) struct AccountFlowTests {
    @Test func signUpLogOutAndLogInAgain() async throws {
        try await LiveSite.with { site in
            let visitor = site.visitor()
            let signup = try await visitor.signUp("ann@example.com", name: "Ann")
            #expect(signup.status == 303)
            #expect(signup.header("Location") == "/notes")
            let cookie = try #require(visitor.lastSetCookies.first { $0.hasPrefix("croft_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"))  // plain HTTP here
            let home = try await visitor.get("/")
            #expect(home.text.contains(">Ann</a>"))
            #expect(home.text.contains("Welcome, Ann! Your account is ready."))  // flash survives the redirect
            #expect(try await visitor.get("/").text.contains("Welcome, Ann") == false)  // ...once

            let sessionBefore = visitor.cookies["croft_session"]
            #expect(try await visitor.post("/accounts/logout").status == 303)
            #expect(visitor.cookies["croft_session"] == nil)
            #expect(!(try await visitor.get("/")).text.contains(">Ann</a>"))
            // The old session id signs nobody in any more.
            let replay = site.visitor()
            replay.cookies["croft_session"] = sessionBefore
            #expect(!(try await replay.get("/")).text.contains(">Ann</a>"))

            let login = try await visitor.logIn("ANN@example.com")
            #expect(login.status == 303)
            #expect(visitor.cookies["croft_session"] != sessionBefore)  // rotated
            #expect(try await visitor.get("/").text.contains(">Ann</a>"))
        }
    }

    @Test func signUpErrorsStayBesideTheirFieldsWithValuesKept() async throws {
        try await LiveSite.with { site in
            let visitor = site.visitor()
            try await visitor.get("/accounts/signup")
            let bad = try await visitor.post("/accounts/signup", [
                ("email", "not-an-email"), ("display_name", "Bob <b>"), ("password", "123"), ("password2", "123"),
            ])
            #expect(bad.status == 422)
            #expect(bad.text.contains("Enter a valid email address."))
            #expect(bad.text.contains("Use at least 8 characters."))
            #expect(bad.text.contains("value=\"not-an-email\""))
            #expect(bad.text.contains("value=\"Bob &lt;b&gt;\""))
            #expect(!bad.text.contains("value=\"123\""))  // passwords are never echoed
            let mismatch = try await visitor.post("/accounts/signup", [
                ("email", "bob@example.com"), ("password", "long enough"), ("password2", "different one"),
            ])
            #expect(mismatch.text.contains("The two passwords do not match."))
            _ = try await site.createUser("taken@example.com")
            let taken = try await visitor.post("/accounts/signup", [
                ("email", "Taken@Example.com"), ("password", "long enough"), ("password2", "long enough"),
            ])
            #expect(taken.status == 422)
            #expect(taken.text.contains("An account with this email already exists."))
        }
    }

    @Test func wrongPasswordsAreRefusedAndThenThrottled() async throws {
        try await LiveSite.with { site in
            _ = try await site.createUser("cat@example.com")
            let visitor = site.visitor()
            for _ in 0..<5 {
                let wrong = try await visitor.logIn("cat@example.com", password: "wrong password")
                #expect(wrong.status == 422)
                #expect(wrong.text.contains("Email or password is incorrect."))
                #expect(wrong.text.contains("value=\"cat@example.com\""))
            }
            let locked = try await visitor.logIn("cat@example.com")  // even the right password
            #expect(locked.status == 429)
            #expect(locked.text.contains("Too many failed attempts"))
            #expect(try await site.visitor().logIn("nobody@example.com").status == 422)  // unknown: same answer

            // Staff can reset it.
            _ = try await site.createUser("boss@example.com", staff: true)
            let staff = site.visitor()
            #expect(try await staff.logIn("boss@example.com").status == 303)
            let users = try await staff.get("/staff/users/?q=cat")
            #expect(users.text.contains("locked out"))
            let catID = try #require(try await site.database.read { db in try User.find(email: "cat@example.com", in: db)?.id })
            #expect(try await staff.post("/staff/users/\(catID)", [("action", "reset_throttle")]).status == 303)
            #expect(try await visitor.logIn("cat@example.com").status == 303)
        }
    }

    @Test func formsWithoutAValidCSRFTokenOrFromAnotherOriginAreRefused() async throws {
        try await LiveSite.with { site in
            _ = try await site.createUser("dan@example.com")
            let visitor = site.visitor()
            try await visitor.get("/accounts/login")
            let missing = try await visitor.post("/accounts/login", [("email", "dan@example.com"), ("password", "correct horse")], csrf: false)
            #expect(missing.status == 403)
            #expect(missing.text.contains("CSRF verification failed"))
            let forged = try await visitor.post("/accounts/login", [
                ("email", "dan@example.com"), ("password", "correct horse"), ("csrf_token", "forged"),
            ], csrf: false)
            #expect(forged.status == 403)
            let crossSite = try await visitor.post("/accounts/login", [("email", "dan@example.com"), ("password", "correct horse")],
                                                   headers: [("Origin", "https://evil.example")])
            #expect(crossSite.status == 403)
            #expect(crossSite.text.contains("another site"))
            let headerToken = try await visitor.post("/accounts/login", [("email", "dan@example.com"), ("password", "correct horse")],
                                                     csrf: false, headers: [("Origin", visitor.origin), ("X-CSRF-Token", visitor.csrfToken ?? "")])
            #expect(headerToken.status == 303)
            // Logout is POST only.
            #expect(try await visitor.get("/accounts/logout").status == 405)
        }
    }

    @Test func nextOnlyRedirectsToLocalPaths() async throws {
        try await LiveSite.with { site in
            _ = try await site.createUser("eve@example.com")
            let anonymous = site.visitor()
            let redirect = try await anonymous.get("/accounts/profile")
            #expect(redirect.status == 303)
            #expect(redirect.header("Location") == "/accounts/login?next=%2Faccounts%2Fprofile")
            for (next, expected) in [("/accounts/profile", "/accounts/profile"), ("https://evil.example/", "/notes"),
                                     ("//evil.example", "/notes"), ("/\\evil.example", "/notes")] {
                let visitor = site.visitor()
                #expect(try await visitor.logIn("eve@example.com", next: next).header("Location") == expected)
            }
        }
    }

    @Test func profileThemeAndPasswordChange() async throws {
        try await LiveSite.with { site in
            _ = try await site.createUser("fay@example.com")
            let visitor = site.visitor()
            try await visitor.logIn("fay@example.com")
            try await visitor.get("/accounts/profile")
            let saved = try await visitor.post("/accounts/profile", [("display_name", "Fay"), ("theme", "dark")])
            #expect(saved.status == 303)
            let page = try await visitor.get("/accounts/profile")
            #expect(page.text.contains("data-theme=\"dark\""))
            #expect(page.text.contains("Your profile was saved."))
            let badTheme = try await visitor.post("/accounts/profile", [("display_name", "Fay"), ("theme", "neon")])
            #expect(badTheme.status == 422)

            try await visitor.get("/accounts/password")
            let wrong = try await visitor.post("/accounts/password", [
                ("current_password", "nope"), ("new_password", "battery staple"), ("new_password2", "battery staple"),
            ])
            #expect(wrong.status == 422)
            #expect(wrong.text.contains("Your current password is not correct."))
            let changed = try await visitor.post("/accounts/password", [
                ("current_password", "correct horse"), ("new_password", "battery staple"), ("new_password2", "battery staple"),
            ])
            #expect(changed.status == 303)
            #expect(try await visitor.get("/accounts/profile").status == 200)  // still signed in after rotation
            #expect(try await site.visitor().logIn("fay@example.com").status == 422)
            #expect(try await site.visitor().logIn("fay@example.com", password: "battery staple").status == 303)
        }
    }

    @Test func secureCookiesAndHSTSBehindAnHTTPSProxyOnly() async throws {
        try await LiveSite.with { site in
            let visitor = site.visitor()
            try await visitor.get("/accounts/signup", headers: [("X-Forwarded-Proto", "https")])
            let response = try await visitor.post("/accounts/signup", [
                ("email", "gus@example.com"), ("password", "correct horse"), ("password2", "correct horse"),
            ], headers: [("Origin", "https://\(visitor.host)"), ("X-Forwarded-Proto", "https")])
            #expect(response.status == 303)
            #expect(visitor.lastSetCookies.first?.contains("; Secure") == true)
            #expect(response.header("Strict-Transport-Security")?.hasPrefix("max-age=") == true)
            #expect(try await site.visitor().get("/").header("Strict-Transport-Security") == nil)
        }
    }

    @Test func unknownHostsAreRefused() async throws {
        try await LiveSite.with { site in
            let visitor = site.visitor()
            visitor.host = "evil.example"
            let response = try await visitor.get("/")
            #expect(response.status == 400)
            #expect(response.text.contains("ALLOWED_HOSTS"))
            #expect(try await visitor.get("/health").status == 200)
        }
    }

    @Test func deactivatedUsersAreSignedOutAndCannotLogIn() async throws {
        try await LiveSite.with { site in
            let user = try await site.createUser("hal@example.com")
            let visitor = site.visitor()
            try await visitor.logIn("hal@example.com")
            try await site.database.write { db in try db.execute("UPDATE users SET is_active = 0 WHERE id = ?", user.id!) }
            #expect(try await visitor.get("/accounts/profile").status == 303)
            #expect(try await site.visitor().logIn("hal@example.com").status == 422)
        }
    }
}

/// The staff area.
@Suite(.bothPollers) struct StaffTests {
    @Test func onlyStaffReachTheDashboard() async throws {
        try await LiveSite.with { site in
            _ = try await site.createUser("user@example.com")
            _ = try await site.createUser("staff@example.com", staff: true)
            #expect(try await site.visitor().get("/staff/").status == 303)
            let user = site.visitor()
            try await user.logIn("user@example.com")
            #expect(try await user.get("/staff/").status == 404)
            #expect(try await user.get("/staff/users/").status == 404)

            let staff = site.visitor()
            try await staff.logIn("staff@example.com")
            let overview = try await staff.get("/staff/")
            #expect(overview.status == 200)
            #expect(overview.text.contains("Requests served"))
            #expect(overview.text.contains("Write wait p50 / p99"))
            let database = try await staff.get("/staff/database/")
            for pragma in ["journal_mode", "synchronous", "foreign_keys", "busy_timeout", "mmap_size", "cache_size"] {
                #expect(database.text.contains("<code>\(pragma)</code>"))
            }
            #expect(database.text.contains("<td>wal</td>"))
            #expect(database.text.contains("0002_create_sessions"))
            let checked = try await staff.post("/staff/database/check")
            #expect(checked.status == 303)
            #expect(try await staff.get("/staff/database/").text.contains("quick_check: ok"))
        }
    }

    @Test func staffManageUsers() async throws {
        try await LiveSite.with { site in
            let ivy = try await site.createUser("ivy@example.com")
            _ = try await site.createUser("staff@example.com", staff: true)
            let staff = site.visitor()
            try await staff.logIn("staff@example.com")
            let list = try await staff.get("/staff/users/?q=ivy")
            #expect(list.text.contains("ivy@example.com"))
            #expect(!list.text.contains("<td>staff@example.com</td>"))
            #expect(try await staff.post("/staff/users/\(ivy.id!)", [("action", "make_staff")]).status == 303)
            #expect(try await site.database.read { db in try User.find(ivy.id!, in: db)?.isStaff } == true)
            #expect(try await staff.post("/staff/users/\(ivy.id!)", [("action", "deactivate")]).status == 303)
            #expect(try await site.database.read { db in try User.find(ivy.id!, in: db)?.isActive } == false)
            #expect(try await staff.post("/staff/users/999999", [("action", "activate")]).status == 404)
        }
    }
}
