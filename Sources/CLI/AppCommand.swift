import App
import ArgumentParser
import Croft
import Foundation

/// `app`: the command line of a Croft site.
@main
struct AppCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app",
        abstract: "Run and manage your Croft site.",
        subcommands: [
            Serve.self, Worker.self, Migrate.self, MakeMigration.self, CreateSuperuser.self, ChangePassword.self,
            Routes.self, Backup.self, Restore.self, Check.self, Vacuum.self, DoctorCommand.self, Maintenance.self,
            CacheCommand.self, SendTestEmail.self,
        ],
        defaultSubcommand: nil)

    /// Runs the command under a umask of at least 027, set before anything creates a file.
    ///
    /// With the usual 022, `data/`, `db.sqlite3` and its `-wal`/`-shm` (which SQLite creates with the
    /// database's mode) would be readable by every user of the machine. 027 keeps the group's read access
    /// (0640 files, 0750 directories) and closes them to others; a stricter umask, such as 077, is kept.
    static func main() async {
        restrictUmask()
        await main(nil)
    }
}

/// Adds 027 to the process's umask: files are created without group write or any access for others.
func restrictUmask() {
    let inherited = umask(0o027)
    umask(inherited | 0o027)
}

/// Sets up logging once for any command: one line per event to standard error.
func bootstrapLogging(level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
