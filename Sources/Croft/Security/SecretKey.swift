import Foundation

/// The application's secret: `SECRET_KEY` from the environment, or one generated once and kept in
/// `data/.secret_key` (mode 0600) so sessions survive restarts.
///
/// A key file that exists but holds no key (empty, or only whitespace) is refused rather than used:
/// an empty secret would sign every session and CSRF token with a key anyone can guess.
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

    /// Why no secret could be had: the key file, what is wrong with it, and what to do.
    public struct LoadError: Error, CustomStringConvertible {
        /// The key file's path.
        public let path: String
        /// What went wrong.
        public let reason: String
        /// How to fix it.
        public let fix: String

        /// Creates an error about the key file at `path`.
        public init(path: String, reason: String,
                    fix: String = "Set SECRET_KEY or fix the permissions of the data directory.") {
            self.path = path
            self.reason = reason
            self.fix = fix
        }

        public var description: String { "cannot use the secret key file \(path): \(reason). \(fix)" }
    }

    /// The key file of a data directory: `<data>/.secret_key`.
    public static func path(dataDirectory: String) -> String { dataDirectory + "/.secret_key" }

    /// Returns the secret and where it came from; throws a ``LoadError`` naming the key file when it
    /// cannot be read or created, or when it exists but is empty.
    public static func load(settings: Settings) throws -> (key: String, source: Source) {
        if let key = settings.values["SECRET_KEY"], !key.isEmpty { return (key, .environment) }
        let path = path(dataDirectory: settings.dataDirectory)
        if let existing = try readKey(at: path) { return (existing, .file(path)) }
        do {
            try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o750])
        } catch {
            throw LoadError(path: path, reason: error.localizedDescription)
        }
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        if try install(key, at: path) { return (key, .generated(path)) }
        // Another process created the file first: its key wins, so both processes sign with the same secret.
        guard let raced = try readKey(at: path) else {
            throw LoadError(path: path, reason: "it was created by another process and then removed")
        }
        return (raced, .file(path))
    }

    /// The key stored at `path` (surrounding whitespace trimmed); nil when there is no such file.
    static func readKey(at path: String) throws -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw LoadError(path: path, reason: String(cString: strerror(errno)),
                            fix: "Make it readable by user \(getuid()) (`chown \(getuid()) \(path) && chmod 600 \(path)`), or set SECRET_KEY.")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw LoadError(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw LoadError(path: path, reason: "it is not UTF-8 text",
                            fix: "Delete it to have a new key generated at the next start (everyone is signed out), or set SECRET_KEY.")
        }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else {
            throw LoadError(path: path, reason: bytes.isEmpty ? "it is empty" : "it holds only whitespace",
                            fix: "Delete it to have a new key generated at the next start (everyone is signed out), or set SECRET_KEY.")
        }
        return key
    }

    /// Writes `key` to `path` unless the file exists; false when it already did.
    ///
    /// The key goes to a temporary file (0600 from the start: never readable by others, not even briefly),
    /// which is hard-linked into place: link(2) fails when the key file exists, like `O_EXCL`, and the key
    /// file never exists half-written, so a process starting at the same moment never reads an empty file.
    /// On a file system without hard links the key file is created with `O_EXCL` directly.
    static func install(_ key: String, at path: String) throws -> Bool {
        let temporary = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let failure = try create(temporary, holding: key, shownAs: path)
        guard failure == 0 else { throw LoadError(path: path, reason: String(cString: strerror(failure))) }
        defer { unlink(temporary) }
        if link(temporary, path) == 0 { return true }
        switch errno {
        case EEXIST:
            return false
        case EPERM, ENOTSUP, EOPNOTSUPP, EXDEV, EMLINK:
            let failure = try create(path, holding: key, shownAs: path)
            if failure == EEXIST { return false }
            guard failure == 0 else { throw LoadError(path: path, reason: String(cString: strerror(failure))) }
            return true
        default:
            throw LoadError(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Creates `file` (mode 0600, `O_EXCL`) holding `key` and a newline, durably. Returns 0, or the
    /// `errno` of a failed `open` (`EEXIST` when the file exists); throws when writing fails.
    private static func create(_ file: String, holding key: String, shownAs path: String) throws -> Int32 {
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        let bytes = Array((key + "\n").utf8)
        let written = write(descriptor, bytes, bytes.count)
        guard written == bytes.count, fsync(descriptor) == 0 else {
            let reason = written >= 0 && written < bytes.count ? "short write" : String(cString: strerror(errno))
            unlink(file)
            throw LoadError(path: path, reason: reason)
        }
        return 0
    }
}
