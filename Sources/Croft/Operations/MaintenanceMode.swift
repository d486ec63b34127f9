import Foundation

/// Read-only maintenance mode, switched by a flag file in `data/` so every process sees it at once.
///
/// While the file exists the site refuses writes (``MaintenanceMiddleware``) and keeps serving reads:
/// use it around restores and file-system snapshots. `app maintenance on|off` flips it.
public struct MaintenanceMode: Sendable {
    /// The flag file (`data/maintenance.flag`); its content is the reason shown to staff.
    public let flagPath: String

    /// The mode for a data directory.
    public init(dataDirectory: String) {
        flagPath = dataDirectory + "/maintenance.flag"
    }

    /// Whether the site is read-only now (one `stat`).
    public var isOn: Bool { access(flagPath, F_OK) == 0 }

    /// The reason written when it was switched on.
    public var reason: String? { try? String(contentsOfFile: flagPath, encoding: .utf8) }

    /// Makes the site read-only.
    public func enable(reason: String = "maintenance") throws {
        let text = "\(reason)\nsince \(ISO8601DateFormatter().string(from: Date()))\n"
        try text.write(toFile: flagPath, atomically: true, encoding: .utf8)
    }

    /// Makes the site writable again.
    public func disable() throws {
        if FileManager.default.fileExists(atPath: flagPath) { try FileManager.default.removeItem(atPath: flagPath) }
    }
}
