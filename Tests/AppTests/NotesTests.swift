import App
import Croft
import CroftTesting
import Foundation
import Testing

/// The notes pages end to end: the real site on a socket (`LiveSite`), driven through its forms like a browser.
@Suite(.bothPollers) struct NotesTests {
    /// A visitor who signed up through the form (and so is signed in).
    static func signedUp(_ site: LiveSite, _ email: String) async throws -> Visitor {
        let visitor = site.visitor()
        let response = try await visitor.signUp(email)
        #expect(response.status == 303, "sign-up of \(email)")
        return visitor
    }

    /// Loads a page with a form (for its CSRF token), then posts `fields` to `action` (default: the same address).
    static func submit(_ visitor: Visitor, form page: String, to action: String? = nil,
                       _ fields: [(String, String)]) async throws -> RawResponse {
        try await visitor.get(page)
        return try await visitor.post(action ?? page, fields)
    }

    /// Follows a redirect.
    static func follow(_ visitor: Visitor, _ response: RawResponse) async throws -> RawResponse {
        let location = try #require(response.header("Location"), "expected a redirect, got \(response.status)")
        return try await visitor.get(location)
    }

    /// How many notes a list page shows (each title is a link with this class).
    static func listedTitles(_ page: RawResponse) -> Int {
        page.text.components(separatedBy: "class=\"note-title\"").count - 1
    }

    /// The id in a `/notes/ID` redirect.
    static func noteID(_ response: RawResponse) throws -> Int64 {
        let location = try #require(response.header("Location"), "expected a redirect, got \(response.status)")
        return try #require(Int64(location.dropFirst("/notes/".count)), "not a note: \(location)")
    }

    /// Creates a note through the form and returns its id.
    static func createNote(_ visitor: Visitor, title: String, body: String = "") async throws -> Int64 {
        try noteID(try await submit(visitor, form: "/notes/new", [("title", title), ("body", body)]))
    }

    /// Inserts notes straight into the database (for lists longer than a test wants to type).
    static func insertNotes(_ site: LiveSite, email: String, titles: [String], body: String = "") async throws {
        let owner = try await site.database.read { db in try User.find(email: email, in: db) }
        let ownerID = try #require(owner?.id)
        try await site.database.write { db in
            for title in titles {
                var note = Note(ownerID: ownerID, title: title, body: body)
                try note.insert(db)
            }
        }
    }

    @Test func createShowEditAndDeleteANote() async throws {
        try await LiveSite.with { site in
            let alice = try await Self.signedUp(site, "alice@example.com")
            let empty = try await alice.get("/notes")
            #expect(empty.status == 200)
            #expect(empty.text.contains("You have no notes yet."))

            // Create: a redirect to the note, which shows once with a flash message; text is escaped.
            let created = try await Self.submit(alice, form: "/notes/new", [
                ("title", "Shopping <list>"), ("body", "milk\r\neggs & bread"),
            ])
            #expect(created.status == 303)
            let id = try Self.noteID(created)
            let shown = try await Self.follow(alice, created)
            #expect(shown.status == 200)
            #expect(shown.text.contains("Note “Shopping &lt;list&gt;” created."))
            #expect(shown.text.contains("<h1>Shopping &lt;list&gt;</h1>"))
            #expect(shown.text.contains("milk\neggs &amp; bread"))
            #expect(shown.text.contains("href=\"/notes/\(id)/edit\""))
            #expect(!(try await alice.get("/notes/\(id)")).text.contains("created."))  // flashed once

            let list = try await alice.get("/notes")
            #expect(Self.listedTitles(list) == 1)
            #expect(list.text.contains("href=\"/notes/\(id)\""))

            // Edit: the form is filled in with the note; saving redirects back to it.
            let editForm = try await alice.get("/notes/\(id)/edit")
            #expect(editForm.text.contains("value=\"Shopping &lt;list&gt;\""))
            #expect(editForm.text.contains(">\nmilk\neggs &amp; bread</textarea>"))
            let updated = try await alice.post("/notes/\(id)/edit", [("title", "Groceries"), ("body", "oat milk")])
            #expect(updated.status == 303)
            #expect(updated.header("Location") == "/notes/\(id)")
            let afterEdit = try await Self.follow(alice, updated)
            #expect(afterEdit.text.contains("Note “Groceries” saved."))
            #expect(afterEdit.text.contains("oat milk"))

            // Delete: a confirmation page, then a POST; the note is gone.
            let confirm = try await alice.get("/notes/\(id)/delete")
            #expect(confirm.status == 200)
            #expect(confirm.text.contains("Delete this note?"))
            let deleted = try await alice.post("/notes/\(id)/delete")
            #expect(deleted.status == 303)
            #expect(deleted.header("Location") == "/notes")
            let afterDelete = try await Self.follow(alice, deleted)
            #expect(afterDelete.text.contains("Note “Groceries” deleted."))
            #expect(Self.listedTitles(afterDelete) == 0)
            #expect((try await alice.get("/notes/\(id)")).status == 404)
        }
    }

    @Test func invalidFormsComeBackWithTheValuesAndEachErrorBesideItsField() async throws {
        try await LiveSite.with { site in
            let alice = try await Self.signedUp(site, "alice@example.com")
            let missingTitle = try await Self.submit(alice, form: "/notes/new", [("title", "   "), ("body", "kept <body>")])
            #expect(missingTitle.status == 422)
            #expect(missingTitle.text.contains(#"<p class="field-error" id="error_title">Give your note a title.</p>"#))
            #expect(missingTitle.text.contains(">\nkept &lt;body&gt;</textarea>"))

            let longTitle = String(repeating: "t", count: 201)
            let tooLong = try await alice.post("/notes/new", [("title", longTitle), ("body", "")])
            #expect(tooLong.status == 422)
            #expect(tooLong.text.contains("Keep the title under 200 characters."))
            #expect(tooLong.text.contains("value=\"\(longTitle)\""))

            // 150 characters but 300 Unicode scalars, as SQLite's length() counts: refused by the form, not a 500.
            let emoji = try await alice.post("/notes/new", [("title", String(repeating: "👍🏽", count: 150)), ("body", "")])
            #expect(emoji.status == 422)
            #expect(emoji.text.contains("Keep the title under 200 characters."))

            let hugeBody = try await alice.post("/notes/new", [("title", "Big"), ("body", String(repeating: "b", count: 100_001))])
            #expect(hugeBody.status == 422)
            #expect(hugeBody.text.contains(#"id="error_body">Keep the note under 100000 characters."#))
            #expect(hugeBody.text.contains("value=\"Big\""))
            #expect(Self.listedTitles(try await alice.get("/notes")) == 0)

            // The same rules when editing; the stored note is unchanged.
            let id = try await Self.createNote(alice, title: "Original", body: "text")
            let badEdit = try await Self.submit(alice, form: "/notes/\(id)/edit", [("title", ""), ("body", "new text")])
            #expect(badEdit.status == 422)
            #expect(badEdit.text.contains("Give your note a title."))
            #expect(badEdit.text.contains(">\nnew text</textarea>"))
            #expect((try await alice.get("/notes/\(id)")).text.contains("<h1>Original</h1>"))
        }
    }

    @Test func searchMatchesTitleOrBodyAndTreatsWildcardsAsText() async throws {
        try await LiveSite.with { site in
            let alice = try await Self.signedUp(site, "alice@example.com")
            _ = try await Self.createNote(alice, title: "Groceries", body: "Milk and eggs")
            _ = try await Self.createNote(alice, title: "Meeting", body: "Agenda: budget")
            _ = try await Self.createNote(alice, title: "Progress", body: "100% done")
            _ = try await Self.createNote(alice, title: "Naming", body: "use snake_case")
            let bob = try await Self.signedUp(site, "bob@example.com")
            _ = try await Self.createNote(bob, title: "Bob's milk", body: "")

            let cases: [(query: String, titles: [String])] = [
                ("milk", ["Groceries"]),  // body; case-insensitive; never another user's notes
                ("MEET", ["Meeting"]),  // title
                ("%", ["Progress"]),  // a literal percent sign, not "anything"
                ("_", ["Naming"]),  // a literal underscore, not "any character"
                ("e_e", []),
                ("' OR 1=1 --", []),  // bound, never SQL
            ]
            for (query, titles) in cases {
                let page = try await alice.get("/notes?q=" + FormDecoding.percentEncode(query))
                #expect(page.status == 200)
                #expect(Self.listedTitles(page) == titles.count, "q=\(query)")
                for title in titles { #expect(page.text.contains(">\(title)</a>"), "q=\(query)") }
            }
            let none = try await alice.get("/notes?q=nothing-like-this")
            #expect(none.text.contains("No notes match “nothing-like-this”."))
            #expect(none.text.contains(#"value="nothing-like-this""#))
        }
    }

    @Test func listsTwentyNotesAPageNewestFirstAndKeepsTheSearchAcrossPages() async throws {
        try await LiveSite.with { site in
            let alice = try await Self.signedUp(site, "alice@example.com")
            try await Self.insertNotes(site, email: "alice@example.com", titles: (1...45).map { "Note \($0)" })
            let first = try await alice.get("/notes")
            #expect(Self.listedTitles(first) == 20)
            #expect(first.text.contains(">Note 45</a>"))  // newest first
            #expect(!first.text.contains(">Note 25</a>"))
            #expect(first.text.contains("Page 1 of 3 · 45 notes"))
            #expect(first.text.contains(#"rel="next" href="?page=2""#))
            #expect(!first.text.contains(#"rel="prev""#))

            let last = try await alice.get("/notes?page=3")
            #expect(Self.listedTitles(last) == 5)
            #expect(last.text.contains(">Note 1</a>"))
            #expect(last.text.contains(#"rel="prev" href="?page=2""#))
            #expect((try await alice.get("/notes?page=4")).status == 404)
            #expect((try await alice.get("/notes?page=abc")).status == 400)

            try await Self.insertNotes(site, email: "alice@example.com", titles: (1...25).map { "Bulk \($0)" }, body: "a b")
            let searched = try await alice.get("/notes?q=a%20b")
            #expect(Self.listedTitles(searched) == 20)
            #expect(searched.text.contains(#"rel="next" href="?q=a+b&amp;page=2""#))
            let second = try await alice.get("/notes?q=a%20b&page=2")
            #expect(Self.listedTitles(second) == 5)
            // {% querystring %} keeps the request's other fields, in their order, and replaces the page.
            #expect(second.text.contains(#"rel="prev" href="?q=a+b&amp;page=1""#))
        }
    }

    @Test func anotherUsersNoteIsNotFoundForEveryPage() async throws {
        try await LiveSite.with { site in
            let alice = try await Self.signedUp(site, "alice@example.com")
            let id = try await Self.createNote(alice, title: "Alice's secret", body: "diary")
            let bob = try await Self.signedUp(site, "bob@example.com")

            let bobsPage = try await bob.get("/notes")  // also gives Bob a valid CSRF token for the POSTs below
            #expect(!bobsPage.text.contains("Alice"))
            for path in ["/notes/\(id)", "/notes/\(id)/edit", "/notes/\(id)/delete"] {
                let response = try await bob.get(path)
                #expect(response.status == 404, "GET \(path)")
                #expect(!response.text.contains("Alice's secret"))
            }
            #expect(try await bob.post("/notes/\(id)/edit", [("title", "Hacked"), ("body", "")]).status == 404)
            #expect(try await bob.post("/notes/\(id)/delete").status == 404)
            #expect((try await bob.get("/notes/999999")).status == 404)
            #expect((try await bob.get("/notes/not-a-number")).status == 400)

            let stillThere = try await alice.get("/notes/\(id)")
            #expect(stillThere.status == 200)
            #expect(stillThere.text.contains("<h1>Alice&#x27;s secret</h1>"))
        }
    }

    @Test func anonymousVisitorsAreSentToLogInAndBack() async throws {
        try await LiveSite.with { site in
            let visitor = site.visitor()
            for path in ["/notes", "/notes/new", "/notes/1", "/notes/1/edit", "/notes/1/delete", "/notes?q=a&page=2"] {
                let response = try await visitor.get(path)
                #expect(response.status == 303, "GET \(path)")
                #expect(response.header("Location") == "/accounts/login?next=" + FormDecoding.percentEncode(path))
            }
            // After logging in from that page, the visitor lands where they were going.
            _ = try await site.createUser("carol@example.com")
            let login = try await visitor.get("/accounts/login?next=%2Fnotes%2Fnew")
            #expect(login.text.contains(#"name="next" value="/notes/new""#))
            let loggedIn = try await visitor.post("/accounts/login", [
                ("email", "carol@example.com"), ("password", "correct horse"), ("next", "/notes/new"),
            ])
            #expect(loggedIn.status == 303)
            #expect(loggedIn.header("Location") == "/notes/new")
            #expect((try await Self.follow(visitor, loggedIn)).text.contains("<h1>New note</h1>"))
        }
    }

    @Test func formsWithoutAValidCSRFTokenOrFromAnotherOriginAreRefused() async throws {
        try await LiveSite.with { site in
            let alice = try await Self.signedUp(site, "alice@example.com")
            let id = try await Self.createNote(alice, title: "Keep me")
            try await alice.get("/notes/new")
            let token = try #require(alice.csrfToken)

            let missing = try await alice.post("/notes/new", [("title", "No token"), ("body", "")], csrf: false)
            #expect(missing.status == 403)
            #expect(missing.text.contains("CSRF token is missing"))
            let wrong = try await alice.post("/notes/new", [("csrf_token", "forged" + token), ("title", "Bad")], csrf: false)
            #expect(wrong.status == 403)
            let foreign = try await alice.post("/notes/\(id)/delete", headers: [("Origin", "http://evil.example")])
            #expect(foreign.status == 403)
            let anonymous = try await site.visitor().post("/notes/\(id)/delete", [("csrf_token", token)], csrf: false)
            #expect(anonymous.status == 403)

            let list = try await alice.get("/notes")
            #expect(Self.listedTitles(list) == 1)
            #expect(list.text.contains(">Keep me</a>"))
        }
    }

    @Test func deletingAnAccountDeletesItsNotes() async throws {
        try await LiveSite.with { site in
            let alice = try await Self.signedUp(site, "alice@example.com")
            _ = try await Self.createNote(alice, title: "Mine")
            let remaining = try await site.database.write { db in
                try db.execute("DELETE FROM users WHERE email = ?", "alice@example.com")
                return try Note.query().count(db)
            }
            #expect(remaining == 0)  // ON DELETE CASCADE (foreign_keys=ON on every connection)
        }
    }
}
