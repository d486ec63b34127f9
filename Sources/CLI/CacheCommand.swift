import App
import ArgumentParser
import Croft

/// `app cache clear`: empty the cache database.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "Manage the cache (data/cache.sqlite3).", subcommands: [Clear.self])

    /// `app cache clear`.
    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every cache entry (pages included).")

        func run() throws {
            let settings = Settings()
            bootstrapLogging(level: .warning)
            try Site.prepareDataDirectory(settings)
            let cache = try Site.openCache(settings)
            defer { cache.close() }
            try cache.clearSync()
            print("cache cleared: \(settings.operations.cachePath)")
        }
    }
}
