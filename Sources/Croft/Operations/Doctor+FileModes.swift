import Foundation

extension Doctor {
    /// One file or directory whose mode lets other users in, and the mode that closes it.
    struct LooseMode: Equatable {
        /// The path, as configured.
        let path: String
        /// Its permission bits now.
        let mode: Int
        /// The bits that should not be set.
        let forbidden: Int
        /// The mode `chmod` should give it.
        let wanted: Int
    }

    /// Reports the parts of the deployment that other users can reach, with the `chmod` that closes them:
    /// `data/` (and `BACKUP_DIR`) open to others; the database, `-wal` and `-shm` writable by the group or
    /// reachable by others; `.secret_key` and backups with any group or other bit.
    ///
    /// Under the umask `app` and `deploy/entrypoint.sh` set (027), new files are 0640, directories 0750, and
    /// the key and backups 0600, which passes. Files made before that (or by hand) are what this finds.
    func fileModes() -> DoctorFinding {
        let loose = looseModes()
        guard !loose.isEmpty else {
            return DoctorFinding(check: "modes", severity: .ok,
                                 message: "\(dataDirectory), the database, the key and the backups are closed to other users", fix: "")
        }
        let found = loose.map { "\($0.path) is \(Self.octal($0.mode)) (\(Self.exposure($0.mode & $0.forbidden)))" }
        var commands: [String] = []
        for wanted in [0o750, 0o640, 0o600] {
            let paths = loose.filter { $0.wanted == wanted }.map { Self.shellQuoted($0.path) }
            if !paths.isEmpty { commands.append("chmod \(String(wanted, radix: 8)) \(paths.joined(separator: " "))") }
        }
        return DoctorFinding(check: "modes", severity: .warning, message: found.joined(separator: "; "),
                             fix: "Other users on this machine can read the site's data or its secret: `\(commands.joined(separator: " && "))`. "
                                + "`app` runs with umask 027 so that new files stay closed.")
    }

    /// Every checked path whose mode has a forbidden bit, in the order of ``fileModes()``'s message.
    func looseModes() -> [LooseMode] {
        var loose: [LooseMode] = []
        func check(_ path: String, forbidden: Int, wanted: Int) {
            guard let mode = Self.permissions(path), mode & forbidden != 0 else { return }
            loose.append(LooseMode(path: path, mode: mode, forbidden: forbidden, wanted: wanted))
        }
        check(dataDirectory, forbidden: 0o007, wanted: 0o750)
        for path in [databasePath, databasePath + "-wal", databasePath + "-shm"] {
            check(path, forbidden: 0o027, wanted: 0o640)
        }
        check(SecretKey.path(dataDirectory: dataDirectory), forbidden: 0o077, wanted: 0o600)
        if backups.directory != dataDirectory {
            check(backups.directory, forbidden: 0o007, wanted: 0o750)
        }
        for backup in ((try? backups.list()) ?? []).reversed() {
            check(backup.path, forbidden: 0o077, wanted: 0o600)
        }
        return loose
    }

    /// The permission bits of `path` (following symbolic links), nil when it does not exist.
    static func permissions(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode) & 0o7777
    }

    /// `0644` for 0o644.
    static func octal(_ mode: Int) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// What `bits` (the forbidden ones that are set) let happen: "readable by group and others",
    /// "writable by group, readable by others".
    static func exposure(_ bits: Int) -> String {
        let classes = [(3, "group"), (0, "others")].compactMap { shift, who -> (what: String, who: String)? in
            let granted = (bits >> shift) & 0o7
            guard granted != 0 else { return nil }
            let (readable, writable) = (granted & 0o4 != 0, granted & 0o2 != 0)
            return (readable && writable ? "readable and writable" : readable ? "readable" : writable ? "writable" : "open", who)
        }
        if classes.count == 2 && classes[0].what == classes[1].what { return "\(classes[0].what) by group and others" }
        return classes.map { "\($0.what) by \($0.who)" }.joined(separator: ", ")
    }

    /// `path` as one shell word: as is when it is plain, else in single quotes.
    static func shellQuoted(_ path: String) -> String {
        let plain = path.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+:@%".contains($0)) }
        return plain && !path.isEmpty ? path : "'" + path.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
