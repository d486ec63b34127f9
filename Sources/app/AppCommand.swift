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
            CacheCommand.self,
        ],
        defaultSubcommand: nil)
}

/// Sets up logging once for any command: one line per event to standard error.
func bootstrapLogging(level: Logger.Level) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}
