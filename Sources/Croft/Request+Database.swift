extension Request {
    /// The application's main database.
    ///
    /// ```swift
    /// let notes = try await request.db.read { db in try Note.query().where("owner_id = ?", userID).all(db) }
    /// ```
    public var db: DatabasePool {
        get throws {
            guard let database = application.database else {
                throw HTTPError(.internalServerError, message: "This application has no database configured.")
            }
            return database
        }
    }
}
