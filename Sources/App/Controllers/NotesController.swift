import Croft
import Foundation

/// A signed-in user's notes: list (searchable, 20 a page), show, create, edit, delete.
///
/// The example to copy for a first feature. Every query starts from `Note.owned(by:)`, so another user's
/// note is not found: a 404, which does not even reveal that it exists. The routes sit behind
/// `LoginRequired` (see `NotesRoutes.swift`), and CSRF is checked by middleware before any POST gets here.
enum NotesController {
    static let perPage = 20

    // MARK: Reading

    /// `GET /notes?q=&page=`: the user's notes, newest first.
    @Sendable static func index(_ request: Request) async throws -> Response {
        let ownerID = try ownerID(request)
        let search = (request.query["q"] ?? "").trimmingCharacters(in: .whitespaces)
        let number: Int = try request.queryValue("page") ?? 1
        let page = try await request.db.read { db in
            try Note.owned(by: ownerID, matching: search).page(number, perPage: perPage, in: db)
        }
        guard number >= 1, !page.isPastEnd else {
            throw HTTPError(.notFound, message: "There is no page \(number) of your notes.")
        }
        return try request.render("notes/list.html", [
            "notes": try TemplateValue(encoding: page.items),
            "q": .string(search),
            "page": [
                "number": .int(page.number), "total_pages": .int(page.totalPages), "count": .int(page.totalCount),
                "previous": page.previousNumber.map(TemplateValue.int) ?? .null,
                "next": page.nextNumber.map(TemplateValue.int) ?? .null,
            ],
        ])
    }

    /// `GET /notes/:id`.
    @Sendable static func show(_ request: Request) async throws -> Response {
        let note = try await findNote(request)
        return try request.render("notes/detail.html", ["note": try TemplateValue(encoding: note)])
    }

    // MARK: Creating and editing

    /// `GET /notes/new`.
    @Sendable static func newForm(_ request: Request) async throws -> Response {
        try form(request, note: nil, title: "", body: "")
    }

    /// `POST /notes/new`: saves the note and shows it, or shows the form again with the errors.
    @Sendable static func create(_ request: Request) async throws -> Response {
        let ownerID = try ownerID(request)
        let (title, body) = try submittedFields(request)
        let errors = Note.validate(title: title, body: body)
        guard errors.isEmpty else {
            return try form(request, note: nil, title: title, body: body, errors: errors)
        }
        let note = try await request.db.write { db in
            var note = Note(ownerID: ownerID, title: title, body: body)
            try note.insert(db)
            return note
        }
        request.flash("Note “\(note.title)” created.")
        return .redirect(to: try url("note.detail", note, request))
    }

    /// The note form: a new note when `note` is nil, else the edit form for it, its fields holding
    /// `title` and `body`; with `errors` (field → message) it is a 422 that shows them.
    private static func form(_ request: Request, note: Note?, title: String, body: String, errors: [String: String] = [:]) throws -> Response {
        var context: [String: TemplateValue] = [
            "values": ["title": .string(title), "body": .string(body)], "errors": .init(errors),
        ]
        if let note { context["note"] = try TemplateValue(encoding: note) }
        return try request.render("notes/form.html", context, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    /// `GET /notes/:id/edit`.
    @Sendable static func editForm(_ request: Request) async throws -> Response {
        let note = try await findNote(request)
        return try form(request, note: note, title: note.title, body: note.body)
    }

    /// `POST /notes/:id/edit`.
    @Sendable static func update(_ request: Request) async throws -> Response {
        var note = try await findNote(request)
        let (title, body) = try submittedFields(request)
        let errors = Note.validate(title: title, body: body)
        guard errors.isEmpty else {
            return try form(request, note: note, title: title, body: body, errors: errors)
        }
        note.title = title
        note.body = body
        note = try await request.db.write { [note] db in
            var note = note
            try note.update(db)
            return note
        }
        request.flash("Note “\(note.title)” saved.")
        return .redirect(to: try url("note.detail", note, request))
    }

    // MARK: Deleting

    /// `GET /notes/:id/delete`: asks first; the page's form POSTs to the same address.
    @Sendable static func confirmDelete(_ request: Request) async throws -> Response {
        let note = try await findNote(request)
        return try request.render("notes/delete.html", ["note": try TemplateValue(encoding: note)])
    }

    /// `POST /notes/:id/delete`.
    @Sendable static func delete(_ request: Request) async throws -> Response {
        let note = try await findNote(request)
        try await request.db.write { db -> Void in try note.delete(db) }
        request.flash("Note “\(note.title)” deleted.")
        return .redirect(to: try request.application.router.url(for: "notes"))
    }

    // MARK: Helpers

    /// The signed-in user's id (`LoginRequired` guarantees there is one).
    static func ownerID(_ request: Request) throws -> Int64 {
        guard let id = try request.requireUser().id else { throw HTTPError(.unauthorized, message: "Please log in.") }
        return id
    }

    /// The note named by the `:id` in the path, if the signed-in user owns it; a 404 otherwise.
    static func findNote(_ request: Request) async throws -> Note {
        let ownerID = try ownerID(request)
        let id: Int64 = try request.parameter("id")
        let note = try await request.db.read { db in try Note.owned(by: ownerID).where("id = ?", id).first(db) }
        guard let note else { throw HTTPError(.notFound, message: "There is no note at this address.") }
        return note
    }

    /// The title (trimmed) and body (with the browser's CRLF line ends made LF) from the posted form.
    static func submittedFields(_ request: Request) throws -> (title: String, body: String) {
        let form = try request.formFields
        return (form["title", default: ""].trimmingCharacters(in: .whitespacesAndNewlines),
                form["body", default: ""].replacingOccurrences(of: "\r\n", with: "\n"))
    }

    /// The address of a named route for one note.
    static func url(_ name: String, _ note: Note, _ request: Request) throws -> String {
        try request.application.router.url(for: name, ["id": note.id ?? 0])
    }
}
