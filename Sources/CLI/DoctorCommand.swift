import App
import ArgumentParser
import Croft

/// `app doctor`: check the deployment for SQLite footguns and say how to fix each.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the deployment: file system, WAL, free disk, permissions, other processes, backups.",
        discussion: "Exits with status 1 when a check is an error (warnings alone exit 0).")

    func run() throws {
        let settings = Settings()
        bootstrapLogging(level: .warning)
        // From the command line, the running server is expected to hold the database.
        let findings = Site.doctor(settings, allowedOtherHolders: 1).run()
        for finding in findings {
            let mark = switch finding.severity { case .ok: "ok     "; case .warning: "WARNING"; case .error: "ERROR  " }
            print("\(mark) \(finding.check): \(finding.message)")
            if !finding.fix.isEmpty { print("        fix: \(finding.fix)") }
        }
        if findings.contains(where: { $0.severity == .error }) { throw ExitCode.failure }
    }
}
