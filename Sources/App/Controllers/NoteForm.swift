import Croft

/// The note form: what `POST /notes/new` and `POST /notes/:id/edit` accept.
struct NoteForm: Form {
    var title = ""
    var body = ""

    static let fields = [
        FormField("title", label: "Title", required: true),
        FormField("body", label: "Text", widget: .textarea(rows: 12), help: "Plain text; line breaks are kept."),
    ]

    /// The title trimmed, the browser's CRLF line ends made LF.
    func cleaned() -> NoteForm {
        NoteForm(title: title.trimmingCharacters(in: .whitespacesAndNewlines),
                 body: body.replacingOccurrences(of: "\r\n", with: "\n"))
    }

    func validate() -> [String: String] { Note.validate(title: title, body: body) }
}
