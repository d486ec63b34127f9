import CroftTesting
import Foundation
import Testing
@testable import Croft

/// `request.decodeForm`, `Form.validate`, `{% field %}`, `request.render(some Encodable)` and
/// `request.url(for:_ model)`: the glue a handler no longer writes.
@Suite struct FormTests {
    enum Plan: String, Codable, Sendable { case free, pro }

    struct SignupForm: Form {
        var email = ""
        var displayName = ""
        var age = 0
        var plan = Plan.free
        var newsletter = false
        var password = ""

        static let fields = [
            FormField("email", label: "Email", widget: .input(type: "email"), required: true, autocomplete: "email"),
            FormField("display_name", label: "Name <shown>", help: "Optional."),
            FormField("password", label: "Password", widget: .input(type: "password")),
            FormField("bio", label: "Bio", widget: .textarea(rows: 4)),
        ]

        func cleaned() -> SignupForm {
            var copy = self
            copy.email = email.trimmingCharacters(in: .whitespaces).lowercased()
            return copy
        }

        func validate() -> [String: String] { email.contains("@") ? [:] : ["email": "Enter an email address."] }
    }

    static func post(_ body: String) -> Request {
        var request = Request(method: .post, target: "/", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                              body: Array(body.utf8))
        request.storage[FormCacheKey.self] = FormCache(limits: FormLimits())
        return request
    }

    @Test func decodesFieldsBySnakeCaseNameCleansAndValidates() throws {
        let form = try Self.post("email=+Ada%40Example.com+&display_name=Ada&age=36&plan=pro&newsletter=on&password=s3cret")
            .decodeForm(SignupForm.self)
        #expect(form.email == "ada@example.com" && form.displayName == "Ada" && form.age == 36)
        #expect(form.plan == .pro && form.newsletter && form.password == "s3cret")
        #expect(form.validate().isEmpty)
        // Absent fields: empty text, an unchecked box; a number or enum must be there and parse.
        let sparse = try Self.post("email=nobody&age=1&plan=free").decodeForm(SignupForm.self)
        #expect(sparse.displayName == "" && !sparse.newsletter && sparse.validate() == ["email": "Enter an email address."])
        #expect(throws: FormFieldError.self) { try Self.post("email=a%40b&age=old").decodeForm(SignupForm.self) }
        #expect(throws: FormFieldError.self) { try Self.post("email=a%40b&age=1&plan=gold").decodeForm(SignupForm.self) }
        #expect(throws: FormFieldError.self) { try Self.post("email=a%40b&plan=free").decodeForm(SignupForm.self) }
    }

    @Test func theFieldTagRendersLabelValueErrorAndHintEscaped() throws {
        let environment = TemplateEnvironment(loader: DictionaryLoader([:]))
            .registering("field", Application.fieldTag(arguments:context:))
        var form = SignupForm()
        form.email = "a\"b<c>"
        form.displayName = "<script>"
        form.password = "never shown"
        let context = ["form": try form.templateValue(errors: ["email": "Enter an <email>."])]
        let email = try environment.render(source: #"{% field form "email" %}"#, context: context)
        #expect(email.contains(#"<div class="field has-error">"#))
        #expect(email.contains(#"<label for="id_email">Email</label>"#))
        #expect(email.contains(#"<input id="id_email" name="email" type="email" value="a&quot;b&lt;c&gt;" autocomplete="email" required aria-invalid"#))
        #expect(email.contains(#"required"#) && email.contains(#"autocomplete="email""#))
        #expect(email.contains(#"aria-invalid="true" aria-describedby="error_email""#))
        #expect(email.contains(#"<p class="field-error" id="error_email">Enter an &lt;email&gt;.</p>"#))
        let name = try environment.render(source: #"{% field form "display_name" %}"#, context: context)
        #expect(name.contains("Name &lt;shown&gt;") && name.contains("value=\"&lt;script&gt;\"") && name.contains("Optional."))
        #expect(!name.contains("has-error") && !name.contains("aria-invalid"))
        let password = try environment.render(source: #"{% field form "password" %}"#, context: context)
        #expect(password.contains(#"value="""#) && !password.contains("never shown"))
        let bio = try environment.render(source: #"{% field form "bio" %}"#, context: context)
        #expect(bio.contains(#"<textarea id="id_bio" name="bio" rows="4">"#) && bio.contains("</textarea>"))
        #expect(throws: TemplateError.self) { try environment.render(source: #"{% field form "nope" %}"#, context: context) }
    }

    struct Shelf: Model {
        static let tableName = "shelves"
        var id: Int64?
        var shelfName: String
        var createdAt: Date?
    }

    struct Legacy: Model {
        static let tableName = "legacy"
        static let columnNaming = ColumnNaming.asWritten
        var id: Int64?
        var shelfName: String
    }

    @Test func modelsMapSnakeCaseColumnsAndPersistWithoutMutating() throws {
        let directory = try TemporaryDirectory()
        let database = try DatabasePool(path: directory.path + "/db.sqlite3")
        defer { database.close() }
        try database.writeSync { db in
            try db.executeScript("""
                CREATE TABLE shelves (id INTEGER PRIMARY KEY, shelf_name TEXT NOT NULL, created_at TEXT);
                CREATE TABLE legacy (id INTEGER PRIMARY KEY, "shelfName" TEXT NOT NULL);
                """)
        }
        let shelf = Shelf(shelfName: "Poetry")
        let stored = try database.writeSync { db in try shelf.inserted(db) }
        #expect(shelf.id == nil && stored.id != nil && stored.createdAt != nil)
        var renamed = stored
        renamed.shelfName = "Verse"
        let updated = try database.writeSync { db in try renamed.updated(db) }
        #expect(updated.shelfName == "Verse")
        let column = try database.writeSync { db in try db.fetchValue(String.self, "SELECT shelf_name FROM shelves") }
        #expect(column == "Verse")
        let saved = try database.writeSync { db in try Legacy(shelfName: "Old").saved(db) }
        #expect(saved.id != nil)
        #expect(try database.writeSync { db in try db.fetchValue(String.self, #"SELECT "shelfName" FROM legacy"#) } == "Old")
        // Templates see the same snake_case names, and a Page carries its pager.
        let page = Page(items: [updated], number: 2, perPage: 1, totalCount: 3)
        let value = try TemplateValue(encoding: page)
        #expect(value.member(path: ["total_pages"]) == .int(3) && value.member(path: ["previous"]) == .int(1))
        #expect(value.member(path: ["next"]) == .int(3) && value.member(path: ["count"]) == .int(3))
        guard case .array(let items) = value.member(path: ["items"]) else { Issue.record("no items"); return }
        #expect(items.first?.member(path: ["shelf_name"]) == .string("Verse"))
    }

    @Test func handlersRenderEncodableContextsAndReverseModelURLs() async throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/Templates", withIntermediateDirectories: true)
        try "{{ page.number }}/{{ page.total_pages }}:{% for s in page.items %}{{ s.shelf_name }}{% endfor %} {{ q }}"
            .write(toFile: directory.path + "/Templates/list.html", atomically: true, encoding: .utf8)
        struct ListPage: Encodable { let page: Page<Shelf>; let q: String }
        let builder = ApplicationBuilder(settings: Settings(environment: ["BASE_DIR": directory.path, "ALLOWED_HOSTS": "*"]))
        try builder.router.get("/shelves/:id", name: "shelf.detail") { request in
            .text(try request.url(for: "shelf.detail", Shelf(id: 7, shelfName: "x")))
        }
        try builder.router.get("/list") { request in
            try request.render("list.html", ListPage(page: Page(items: [Shelf(id: 1, shelfName: "Poetry")], number: 1,
                                                                  perPage: 20, totalCount: 1), q: "po"))
        }
        let app = builder.build()
        #expect(await app.respond(to: Request(method: .get, target: "/shelves/1")).body.text == "/shelves/7")
        #expect(await app.respond(to: Request(method: .get, target: "/list")).body.text == "1/1:Poetry po")
    }
}

/// The one snake_case rule that columns, template keys and form fields share.
@Suite struct SnakeCaseTests {
    @Test(arguments: [
        ("ownerID", "owner_id"), ("createdAt", "created_at"), ("isStaff", "is_staff"), ("htmlURL", "html_url"),
        ("URLString", "url_string"), ("password2", "password2"), ("newPassword2", "new_password2"),
        ("sha256Hex", "sha256_hex"), ("title", "title"), ("owner_id", "owner_id"), ("A", "a"), ("", ""),
    ])
    func convertsSwiftNamesToColumnNames(_ pair: (String, String)) {
        #expect(SnakeCase.convert(pair.0) == pair.1)
        #expect(SnakeCase.convert(SnakeCase.convert(pair.0)) == pair.1)  // converting twice is harmless
    }
}
