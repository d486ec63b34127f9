import Foundation

/// The application's secret: `SECRET_KEY` from the environment, or one generated once and kept in
/// `data/.secret_key` (mode 0600) so sessions survive restarts.
public enum SecretKey {
    /// Where the secret came from.
    public enum Source: Sendable, Equatable {
        /// The `SECRET_KEY` variable.
        case environment
        /// The key file, which already existed.
        case file(String)
        /// The key file, created just now.
        case generated(String)
    }

    /// Why no secret could be had.
    public struct LoadError: Error, CustomStringConvertible {
        /// The key file's path.
        public let path: String
        /// What went wrong.
        public let reason: String
        public var description: String { "cannot read or create the secret key file \(path): \(reason). Set SECRET_KEY or fix the permissions of the data directory." }
    }

    /// Returns the secret and where it came from.
    public static func load(settings: Settings) throws -> (key: String, source: Source) {
        if let key = settings.values["SECRET_KEY"], !key.isEmpty { return (key, .environment) }
        let path = settings.dataDirectory + "/.secret_key"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           !existing.isEmpty {
            return (existing, .file(path))
        }
        do {
            try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw LoadError(path: path, reason: error.localizedDescription)
        }
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        // Created with 0600 from the start: the secret is never readable by others, not even briefly.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST, let raced = try? String(contentsOfFile: path, encoding: .utf8) {
                return (raced.trimmingCharacters(in: .whitespacesAndNewlines), .file(path))
            }
            throw LoadError(path: path, reason: String(cString: strerror(errno)))
        }
        let bytes = Array((key + "\n").utf8)
        let written = write(fd, bytes, bytes.count)
        fsync(fd)
        close(fd)
        guard written == bytes.count else { throw LoadError(path: path, reason: "short write") }
        return (key, .generated(path))
    }
}
