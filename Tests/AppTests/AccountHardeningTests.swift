import Croft
import CroftTesting
import Foundation
import Testing

@testable import App

/// The account pages against floods, races and leaks, through the real site on a socket.
@Suite(.bothPollers) struct AccountHardeningTests {
    @Test func parallelWrongPasswordsCannotOutrunTheLockOut() async throws {
        // Dearer hashing than the other tests: the race needs the check and the record to be far apart.
        try await LiveSite.with(environment: ["PASSWORD_ITERATIONS": "100000"]) { site in
            _ = try await site.createUser("target@example.com")
            let visitors = (0..<20).map { _ in site.visitor() }
            for visitor in visitors { try await visitor.get("/accounts/login") }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for visitor in visitors {
                    group.addTask {
                        try await visitor.post("/accounts/login", [("email", "target@example.com"), ("password", "wrong!")]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            // Checking, hashing, then recording let all 20 through (20 × 422): now exactly 5 are verified.
            #expect(statuses.filter { $0 == 422 }.count == 5, "\(statuses.sorted())")
            #expect(statuses.filter { $0 == 429 }.count == 15, "\(statuses.sorted())")
        }
    }

    @Test func changingThePasswordSignsOutEveryOtherSession() async throws {
        try await LiveSite.with { site in
            _ = try await site.createUser("ivy@example.com")
            let laptop = site.visitor(), phone = site.visitor()
            #expect(try await laptop.logIn("ivy@example.com").status == 303)
            #expect(try await phone.logIn("ivy@example.com").status == 303)
            #expect(try await phone.get("/notes").status == 200)
            try await laptop.get("/accounts/password")
            let changed = try await laptop.post("/accounts/password", [
                ("current_password", "correct horse"), ("new_password", "battery staple"), ("new_password2", "battery staple"),
            ])
            #expect(changed.status == 303)
            #expect(try await laptop.get("/notes").status == 200)  // the session that changed it stays
            let other = try await phone.get("/notes")
            #expect(other.status == 303)
            #expect(other.header("Location")?.hasPrefix("/accounts/login") == true)
            // A change made elsewhere (app changepassword, a staff reset) signs out every session.
            try await site.database.write { db in
                try db.execute("UPDATE users SET password_hash = ? WHERE email = ?",
                               try PasswordHasher(iterations: 1000).hash("a new one"), "ivy@example.com")
            }
            #expect(try await laptop.get("/notes").status == 303)
        }
    }

    @Test func loginsAndSignUpsAreRateLimitedPerAddress() async throws {
        try await LiveSite.with(environment: ["LOGIN_RATE_LIMIT": "3", "SIGNUP_RATE_LIMIT": "2"]) { site in
            let visitor = site.visitor()
            try await visitor.get("/accounts/login")
            for _ in 0..<3 {
                #expect(try await visitor.post("/accounts/login", [("email", "x@example.com"), ("password", "nope")]).status == 422)
            }
            let limited = try await visitor.post("/accounts/login", [("email", "x@example.com"), ("password", "nope")])
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "60")
            #expect(try await site.visitor().signUp("one@example.com").status == 303)
            #expect(try await site.visitor().signUp("two@example.com").status == 303)
            #expect(try await site.visitor().signUp("three@example.com").status == 429)
            #expect(try await site.visitor().get("/").status == 200)  // pages other than the two are not limited
        }
    }

    @Test func anImpossibleEmailIsRefusedBeforeTheThrottleOrTheHasher() async throws {
        try await LiveSite.with { site in
            let visitor = site.visitor()
            try await visitor.get("/accounts/login")
            // A 2 MB "email" once went into a login_failures row per attempt, kept for 30 minutes.
            let long = String(repeating: "e", count: 2_000_000) + "@example.com"
            #expect(try await visitor.post("/accounts/login", [("email", long), ("password", "x")]).status == 422)
            #expect(try await visitor.post("/accounts/login", [("email", "nul\u{0}@example.com"), ("password", "x")]).status == 422)
            #expect(try await site.database.read { db in try db.fetchValue(Int.self, "SELECT count(*) FROM login_failures") } == 0)
        }
    }

    @Test func theHashingGateQueuesBrieflyThenAnswers503() async throws {
        // Waits are bounded everywhere: on a loaded machine a poll can come late, and a test must never hang.
        func eventually(_ condition: () -> Bool) async throws {
            for _ in 0..<3000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        }
        let release = DispatchSemaphore(value: 0)
        defer { release.signal() }
        let held: @Sendable () throws -> Int = { _ = release.wait(timeout: .now() + 60); return 1 }
        // A queue of one, with a wait long enough that the waiter is still there when the third call comes.
        let gate = PasswordHashingGate(concurrency: 1, maxWaiting: 1, waitTimeout: .seconds(60))
        async let first = gate.run(held)  // holds the one slot until released
        try await eventually { gate.runningCount == 1 }
        async let second = gate.run { 2 }
        try await eventually { gate.waitingCount == 1 }
        #expect(gate.runningCount == 1 && gate.waitingCount == 1)
        do {
            _ = try await gate.run { 3 }  // the queue is full: refused at once
            Issue.record("a third hash was let in")
        } catch let error as HTTPError {
            #expect(error.status == .serviceUnavailable && error.headers["Retry-After"] == "5")
        }
        release.signal()
        #expect(try await first == 1)
        #expect(try await second == 2)  // the slot passed on to the waiter
        #expect(try await gate.run { 4 } == 4)
        #expect(gate.refusedCount == 1 && gate.runningCount == 0 && gate.waitingCount == 0)

        // A waiter is refused once it has waited its time.
        let blocker = DispatchSemaphore(value: 0)
        defer { blocker.signal() }
        let short = PasswordHashingGate(concurrency: 1, maxWaiting: 4, waitTimeout: .milliseconds(200))
        async let holding = short.run { _ = blocker.wait(timeout: .now() + 60); return 1 }
        try await eventually { short.runningCount == 1 }
        let started = ContinuousClock.now
        do {
            _ = try await short.run { 5 }
            Issue.record("a waiter got the slot while it was held")
        } catch let error as HTTPError {
            #expect(error.status == .serviceUnavailable)
        }
        #expect(ContinuousClock.now - started >= .milliseconds(150))
        blocker.signal()
        #expect(try await holding == 1)

        let settings = Settings(environment: ["BASE_DIR": "/x", "PASSWORD_HASH_CONCURRENCY": "3", "PASSWORD_HASH_WAIT": "9"])
        #expect(settings.passwordHashing.concurrency == 3 && settings.passwordHashing.waitTimeout == .seconds(9))
        #expect(Accounts.hasher(settings).gate === settings.passwordHashing)
    }

    @Test func signedInPagesAreNeverStoredByACache() async throws {
        try await LiveSite.with { site in
            #expect(try await site.visitor().get("/").header("Cache-Control") == nil)
            let visitor = try await NotesTests.signedUp(site, "june@example.com")
            for page in ["/", "/notes", "/accounts/profile"] {
                #expect(try await visitor.get(page).header("Cache-Control") == "private, no-store", "\(page)")
            }
        }
    }

    @Test func displayNamesAndTextFieldsAreBounded() async throws {
        try await LiveSite.with { site in
            let visitor = site.visitor()
            let long = try await visitor.signUp("kim@example.com", name: String(repeating: "k", count: 300_000))
            #expect(long.status == 422)
            #expect(long.text.contains("Keep it under 80 characters."))
            #expect(try await site.visitor().signUp("kim@example.com", name: "Kim\u{07}").status == 422)
            #expect(try await site.database.read { db in try User.find(email: "kim@example.com", in: db) } == nil)
            let kim = try await NotesTests.signedUp(site, "kim@example.com")
            // A title starting with NUL was a 500.
            try await kim.get("/notes/new")
            for (title, body) in [("\u{0}hidden", ""), ("tab\tin title", ""), ("ok", "bell \u{07}"), ("ok", "C1 \u{85}")] {
                #expect(try await kim.post("/notes/new", [("title", title), ("body", body)]).status == 422, "\(title.debugDescription)")
            }
            #expect(try await kim.post("/notes/new", [("title", "fine"), ("body", "tabs\tand\r\nlines")]).status == 303)
            try await kim.get("/accounts/profile")
            #expect(try await kim.post("/accounts/profile", [("display_name", "a\u{0}b"), ("theme", "light")]).status == 422)
            // The table refuses what the forms refuse, whoever writes.
            await #expect(throws: SQLiteError.self) {
                try await site.database.write { db in
                    try db.execute("UPDATE users SET display_name = ? WHERE email = ?", String(repeating: "n", count: 81), "kim@example.com")
                }
            }
        }
    }

    @Test func theDisplayNameMigrationCutsWhatIsAlreadyStored() throws {
        let directory = try TemporaryDirectory()
        let pool = try DatabasePool(path: directory.path + "/db.sqlite3")
        defer { pool.close() }
        _ = try Site.migrator.migrate(pool, to: "0003_create_notes")
        try pool.writeSync { db in
            try db.execute("""
                INSERT INTO users (email, password_hash, display_name, created_at, updated_at)
                VALUES ('old@example.com', 'x', ?, '2026-01-01', '2026-01-01')
                """, String(repeating: "o", count: 300) + "\u{0B}")
        }
        _ = try Site.migrator.migrate(pool)
        let name = try pool.readSync { db in try db.fetchValue(String.self, "SELECT display_name FROM users") }
        #expect(name == String(repeating: "o", count: 80))
    }

    @Test func unknownEmailsCostAsMuchAsTheDearestStoredHash() async throws {
        try await LiveSite.with { site in
            // An account imported from Django with 5× the configured iterations (1,000 in tests).
            try await site.database.write { db in
                var user = User(email: "imported@example.com",
                                passwordHash: try PasswordHasher().hash("old password", salt: "saltsaltsalt", iterations: 5000))
                try user.insert(db)
            }
            AccountController.decoyIterations.reset()
            let decoy = try await AccountController.decoyHash(iterations: 1000, db: site.database)
            #expect(PasswordHasher.iterations(of: decoy) == 5000)
            // Logging in brings the imported hash down to the configured cost.
            #expect(try await site.visitor().logIn("imported@example.com", password: "old password").status == 303)
            let stored = try await site.database.read { db in try User.find(email: "imported@example.com", in: db) }
            #expect(stored.map { PasswordHasher.iterations(of: $0.passwordHash) } == 1000)
            #expect(PasswordHasher(iterations: 1000).needsRehash(try PasswordHasher().hash("p", salt: "s", iterations: 5000)))
            // A stored count the key derivation cannot take is a wrong password, not a trap.
            #expect(throws: PasswordHasher.HashError.self) {
                try PasswordHasher().verify("p", against: "pbkdf2_sha256$4294967296$salt$" + String(repeating: "A", count: 43) + "=")
            }
        }
    }
}
