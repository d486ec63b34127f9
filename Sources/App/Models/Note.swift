import Croft
import Foundation

/// A private note: a title and a plain-text body that only its owner can see.
///
/// Its columns are its properties in snake_case (`ownerID` is `owner_id`), as `Model` maps them.
public struct Note: Model, Equatable {
    /// The table: `notes` (migration `0003_create_notes`).
    public static let tableName = "notes"

    /// The longest title accepted, in characters (the table's CHECK says the same).
    public static let maxTitleLength = 200
    /// The longest body accepted, in characters.
    public static let maxBodyLength = 100_000

    /// The primary key; `nil` until inserted.
    public var id: Int64?
    /// The user who wrote it (`users.id`); deleting the user deletes their notes.
    public var ownerID: Int64
    /// Required, at most `maxTitleLength` characters.
    public var title: String
    /// Plain text; line breaks are kept when shown.
    public var body: String
    /// Set by `insert`.
    public var createdAt: Date?
    /// Set by `insert` and every `update`; the list is ordered by it, newest first.
    public var updatedAt: Date?

    /// A new, unsaved note.
    public init(ownerID: Int64, title: String, body: String) {
        self.ownerID = ownerID
        self.title = title
        self.body = body
    }

    /// What is wrong with a title and body, by field name; empty when they can be saved.
    ///
    /// Lengths are counted in Unicode scalars, as SQLite's `length()` in the table's CHECKs counts them
    /// (a "👍🏽" is one Swift `Character` but two scalars): what passes here never fails the CHECK as a 500.
    public static func validate(title: String, body: String) -> [String: String] {
        var errors: [String: String] = [:]
        if title.isEmpty { errors["title"] = "Give your note a title." }
        if title.unicodeScalars.count > maxTitleLength {
            errors["title"] = "Keep the title under \(maxTitleLength) characters."
        }
        if body.unicodeScalars.count > maxBodyLength { errors["body"] = "Keep the note under \(maxBodyLength) characters." }
        if errors["title"] == nil, TextRules.hasControlCharacters(title, multiline: false) {
            errors["title"] = "The title cannot hold control characters."
        }
        if errors["body"] == nil, TextRules.hasControlCharacters(body, multiline: true) {
            errors["body"] = "The note cannot hold control characters (other than tabs and line breaks)."
        }
        return errors
    }

    /// One user's notes, most recently updated first; only those whose title or body contains `search`
    /// (ignoring ASCII case) when it is not empty.
    ///
    /// Every page starts from this query, so another user's note is never found (and is a 404).
    public static func owned(by ownerID: Int64, matching search: String = "") -> Query<Note> {
        var query = Note.query().where("owner_id = ?", ownerID)
        if !search.isEmpty {
            // The text is bound, never spliced; its own % and _ are escaped so they match themselves.
            // https://sqlite.org/lang_expr.html#the_like_glob_regexp_match_and_extract_operators
            let pattern = "%" + likeEscaped(search) + "%"
            query = query.where(#"title LIKE ? ESCAPE '\' OR body LIKE ? ESCAPE '\'"#, pattern, pattern)
        }
        return query.order("updated_at DESC, id DESC")
    }

    /// `text` with LIKE's wildcards (`%`, `_`) and the escape character (`\`) escaped.
    static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
