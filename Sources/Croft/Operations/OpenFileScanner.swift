import Foundation

/// Finds the processes that have a file open, by reading `/proc/<pid>/fd` (Linux; empty elsewhere).
///
/// Only processes this user may inspect are seen: in a container, that is every process of the app.
public enum OpenFileScanner {
    /// A process holding the file: its id and command line.
    public struct Holder: Sendable, Equatable {
        /// The process id.
        public let pid: Int32
        /// Its command line, arguments joined by spaces.
        public let command: String
    }

    /// The processes other than this one that have `path` open.
    public static func holders(of path: String) -> [Holder] {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let me = getpid()
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var result: [Holder] = []
        for entry in entries {
            guard let pid = Int32(entry), pid != me else { continue }
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            let holds = fds.contains { fd in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) == target
            }
            guard holds else { continue }
            let raw = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            let command = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            result.append(Holder(pid: pid, command: command))
        }
        return result.sorted { $0.pid < $1.pid }
    }
}
