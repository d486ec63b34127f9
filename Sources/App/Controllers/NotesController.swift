import Croft
import Foundation

/// A signed-in user's notes: list (searchable, 20 a page), show, create, edit, delete.
///
/// The example to copy for a first feature. Every query starts from `Note.owned(by:)`, so another user's
/// note is not found: a 404, which does not even reveal that it exists. The routes sit behind
/// `LoginRequired` (see `NotesRoutes.swift`), and CSRF is checked by middleware before any POST gets here.
enum NotesController {
    static let perPage = 20

    /// What the list page shows.
    struct ListPage: Encodable {
        let page: Page<Note>
        let q: String
    }

    // MARK: Reading

    /// `GET /notes?q=&page=`: the user's notes, newest first.
    @Sendable static func index(_ request: Request) async throws -> Response {
        let ownerID = try request.requireUserID()
        let search = (request.query["q"] ?? "").trimmingCharacters(in: .whitespaces)
        let number: Int = try request.queryValue("page") ?? 1
        let page = try await request.db.read { db in
            try Note.owned(by: ownerID, matching: search).page(number, perPage: perPage, in: db)
        }
        guard number >= 1, !page.isPastEnd else { throw HTTPError(.notFound, message: "There is no page \(number) of your notes.") }
        return try request.render("notes/list.html", ListPage(page: page, q: search))
    }

    /// `GET /notes/:id`.
    @Sendable static func show(_ request: Request) async throws -> Response {
        try request.render("notes/detail.html", ["note": try TemplateValue(encoding: try await findNote(request))])
    }

    // MARK: Creating and editing

    /// `GET /notes/new`.
    @Sendable static func newForm(_ request: Request) async throws -> Response {
        try form(request, NoteForm(), note: nil)
    }

    /// `POST /notes/new`: saves the note and shows it, or shows the form again with the errors.
    @Sendable static func create(_ request: Request) async throws -> Response {
        let ownerID = try request.requireUserID()
        let form = try request.decodeForm(NoteForm.self)
        let errors = form.validate()
        guard errors.isEmpty else { return try self.form(request, form, note: nil, errors: errors) }
        let note = try await request.db.write { db in
            try Note(ownerID: ownerID, title: form.title, body: form.body).inserted(db)
        }
        request.flash("Note “\(note.title)” created.")
        return .redirect(to: try request.url(for: "note.detail", note))
    }

    /// `GET /notes/:id/edit`.
    @Sendable static func editForm(_ request: Request) async throws -> Response {
        let note = try await findNote(request)
        return try form(request, NoteForm(title: note.title, body: note.body), note: note)
    }

    /// `POST /notes/:id/edit`.
    @Sendable static func update(_ request: Request) async throws -> Response {
        var note = try await findNote(request)
        let form = try request.decodeForm(NoteForm.self)
        let errors = form.validate()
        guard errors.isEmpty else { return try self.form(request, form, note: note, errors: errors) }
        note.title = form.title
        note.body = form.body
        note = try await request.db.write { [note] db in try note.updated(db) }
        request.flash("Note “\(note.title)” saved.")
        return .redirect(to: try request.url(for: "note.detail", note))
    }

    /// The note form, for a new note when `note` is nil; with `errors` it is a 422 that shows them.
    private static func form(_ request: Request, _ form: NoteForm, note: Note?, errors: [String: String] = [:]) throws -> Response {
        var context: [String: TemplateValue] = ["form": try form.templateValue(errors: errors)]
        if let note { context["note"] = try TemplateValue(encoding: note) }
        return try request.render("notes/form.html", context, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: Deleting

    /// `GET /notes/:id/delete`: asks first; the page's form POSTs to the same address.
    @Sendable static func confirmDelete(_ request: Request) async throws -> Response {
        try request.render("notes/delete.html", ["note": try TemplateValue(encoding: try await findNote(request))])
    }

    /// `POST /notes/:id/delete`.
    @Sendable static func delete(_ request: Request) async throws -> Response {
        let note = try await findNote(request)
        try await request.db.write { db -> Void in try note.delete(db) }
        request.flash("Note “\(note.title)” deleted.")
        return .redirect(to: try request.url(for: "notes"))
    }

    // MARK: Helpers

    /// The note named by the `:id` in the path, if the signed-in user owns it; a 404 otherwise.
    static func findNote(_ request: Request) async throws -> Note {
        let ownerID = try request.requireUserID()
        let id: Int64 = try request.parameter("id")
        let note = try await request.db.read { db in try Note.owned(by: ownerID).where("id = ?", id).first(db) }
        guard let note else { throw HTTPError(.notFound, message: "There is no note at this address.") }
        return note
    }
}
