import Foundation

/// The kind of file system a path lives on, from the kernel's mount table (`/proc/self/mountinfo`).
///
/// The mount table names the type the way `statfs`'s `f_type` would (nfs, cifs, fuse.*, overlay) and is
/// readable without C shims. SQLite's locking is unreliable on network file systems and its WAL needs
/// shared memory they cannot provide: https://sqlite.org/faq.html#q5 and https://sqlite.org/wal.html
public enum FileSystemKind: Sendable, Equatable {
    /// A local disk file system (ext4, xfs, btrfs, tmpfs, ...).
    case local(String)
    /// NFS, SMB/CIFS, 9p, ...: locks and mmap are not safe for SQLite.
    case network(String)
    /// FUSE: depends on the driver (sshfs, gcsfuse, ... are not safe).
    case fuse(String)
    /// overlayfs: a container's writable layer; data dies with the container.
    case overlay

    /// The kind for `path` (local "unknown" when the mount table cannot be read).
    public static func of(_ path: String) -> FileSystemKind {
        guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return .local("unknown") }
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return kind(fsType: fsType(of: resolved, mountInfo: table) ?? "unknown")
    }

    /// The file-system type of the longest mount point containing `path`, from mountinfo text
    /// (`man 5 proc`, /proc/pid/mountinfo: field 5 is the mount point, the type follows the " - ").
    public static func fsType(of path: String, mountInfo: String) -> String? {
        var best: (length: Int, type: String)?
        for line in mountInfo.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            guard halves.count >= 2 else { continue }
            let fields = halves[0].split(separator: " ")
            guard fields.count >= 5, let type = halves[1].split(separator: " ").first else { continue }
            let mountPoint = String(fields[4]).replacingOccurrences(of: "\\040", with: " ")
            let contains = mountPoint == "/" || path == mountPoint || path.hasPrefix(mountPoint + "/")
            if contains && mountPoint.count >= (best?.length ?? -1) { best = (mountPoint.count, String(type)) }
        }
        return best?.type
    }

    /// The kind for a mount-table type name.
    public static func kind(fsType: String) -> FileSystemKind {
        switch fsType {
        case "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs": .network(fsType)
        case "overlay", "overlayfs", "aufs": .overlay
        case _ where fsType == "fuse" || fsType.hasPrefix("fuse."): .fuse(fsType)
        default: .local(fsType)
        }
    }
}
