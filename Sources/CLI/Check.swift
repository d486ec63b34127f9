import App
import ArgumentParser
import Croft
import Foundation

/// `app check`: the database's integrity, foreign keys, WAL size and free pages; `--deploy` checks the
/// settings for production instead. Non-zero exit on any problem.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the database (quick_check or --full integrity_check, foreign keys, WAL, free pages), or --deploy settings.")

    @Flag(help: "Run the full integrity_check (also verifies every index; slower on big databases).")
    var full = false

    @Flag(help: "Check the settings for production use instead (DEBUG, SECRET_KEY, ALLOWED_HOSTS, proxies, ...).")
    var deploy = false

    func run() throws {
        if deploy { return try checkDeployment() }
        try withExistingDatabase { settings, database in
            let report = try DatabaseReport.check(database, full: full)
            for line in report.lines { print(line) }
            guard report.isHealthy else {
                throw CommandFailure("the database has problems (above). Restore the newest good backup with `app restore`, or export what you can with `sqlite3 \(settings.databasePath) .recover`.")
            }
        }
    }

    private func checkDeployment() throws {
        let findings = DeploymentChecks.run(Settings())
        for finding in findings { print(finding) }
        guard findings.isEmpty else {
            print("\(findings.count) issue(s) found.")
            throw ExitCode.failure
        }
        print("no issues found")
    }
}
