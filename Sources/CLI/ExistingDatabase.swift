import App
import Croft
import Foundation

/// The preamble every command that works on an existing database shares (`backup`, `check`, `vacuum`):
/// settings, quiet logging, a clear error when there is no database file (looking must not create one),
/// the pool opened with the production pragmas and closed afterwards.
///
/// ```swift
/// try withExistingDatabase(toDo: "to back up") { settings, database in ... }
/// ```
func withExistingDatabase<T>(toDo purpose: String? = nil, _ body: (Settings, DatabasePool) throws -> T) throws -> T {
    let settings = Settings()
    bootstrapLogging(level: .warning)
    guard FileManager.default.fileExists(atPath: settings.databasePath) else {
        let what = purpose.map { " " + $0 } ?? ""
        throw CommandFailure("there is no database at \(settings.databasePath)\(what). Check DATABASE_PATH, or start the site once.")
    }
    let database = try Site.openDatabase(settings)
    defer { database.close() }
    return try body(settings, database)
}
