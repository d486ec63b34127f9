import Croft

extension Site {
    /// The notes pages, all for signed-in users only (others are sent to the login page and back).
    static func registerNotesRoutes(_ app: ApplicationBuilder) throws {
        try app.router.group("/notes", middleware: [LoginRequired()]) { notes in
            try notes.get("/", name: "notes", NotesController.index)
            try notes.get("/new", name: "note.new", NotesController.newForm)
            try notes.post("/new", NotesController.create)
            try notes.get("/:id", name: "note.detail", NotesController.show)
            try notes.get("/:id/edit", name: "note.edit", NotesController.editForm)
            try notes.post("/:id/edit", NotesController.update)
            try notes.get("/:id/delete", name: "note.delete", NotesController.confirmDelete)
            try notes.post("/:id/delete", NotesController.delete)
        }
    }
}
