import App
import ArgumentParser
import Croft

/// `app maintenance on|off|status`: read-only mode for restores and file-system snapshots.
struct Maintenance: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Switch read-only maintenance mode: writes get 503 + Retry-After, reads keep working.",
        discussion: "It is a flag file (data/maintenance.flag) every server process checks, so it applies at once.")

    enum Switch: String, ExpressibleByArgument, CaseIterable {
        case on, off, status
    }

    @Argument(help: "on, off or status.")
    var state: Switch

    @Option(help: "Why (shown to staff).")
    var reason = "maintenance"

    func run() throws {
        let settings = Settings()
        try Site.prepareDataDirectory(settings)
        let mode = Site.maintenanceMode(settings)
        switch state {
        case .on:
            try mode.enable(reason: reason)
            print("maintenance mode on: the site refuses writes (503) until `app maintenance off`")
        case .off:
            try mode.disable()
            print("maintenance mode off: the site accepts writes")
        case .status:
            print(mode.isOn ? "on (\(mode.reason?.split(separator: "\n").joined(separator: ", ") ?? ""))" : "off")
        }
    }
}
