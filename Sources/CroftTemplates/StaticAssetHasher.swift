import Foundation
import Synchronization

/// Builds cache-busting asset URLs: `css/app.css` becomes `/static/css/app.css?v=1a2b3c4d5e6f7a8b`.
///
/// The version is a 64-bit FNV-1a hash of the file's bytes, computed once per path and cached,
/// so a changed file gets a new URL after a restart (or ``clear()``). Missing files get no version.
///
/// ```swift
/// let hasher = StaticAssetHasher(root: publicDirectory, prefix: "/static/")
/// let env = TemplateEnvironment(loader: loader, staticURL: hasher.url(for:))
/// ```
public final class StaticAssetHasher: Sendable {
    /// The directory assets are read from.
    public let root: URL
    /// The URL prefix assets are served under.
    public let prefix: String
    private let hashes = Mutex<[String: String]>([:])

    /// Creates a hasher for files under `root`, served at `prefix`.
    public init(root: URL, prefix: String = "/static/") {
        self.root = root
        self.prefix = prefix
    }

    /// The public URL of `path`, with a content hash query when the file exists.
    @Sendable public func url(for path: String) -> String {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        let hash = version(for: trimmed) ?? ""
        return prefix + trimmed + (hash.isEmpty ? "" : "?v=" + hash)
    }

    /// The content hash of the file at `path` below the root (the `v` that ``url(for:)`` writes), or nil
    /// when there is no such file. Static file serving compares it with a request's `?v=`.
    @Sendable public func version(for path: String) -> String? {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        if let hash = hashes.withLock({ $0[trimmed] }) { return hash.isEmpty ? nil : hash }
        var hash = ""
        let file = root.appendingPathComponent(trimmed).path
        // Files past 32 MB get no version (read whole, a video would cost its size in memory).
        if !trimmed.split(separator: "/").contains(".."),
           let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int, size <= 32 << 20,
           let data = FileManager.default.contents(atPath: file) {
            hash = StaticAssetHasher.fnv1a(data)
        }
        // Bounded by the files that exist: a path with no file is not remembered (it would grow with requests).
        if !hash.isEmpty { hashes.withLock { $0[trimmed] = hash } }
        return hash.isEmpty ? nil : hash
    }

    /// Forgets every computed hash.
    public func clear() {
        hashes.withLock { $0.removeAll() }
    }

    /// The 64-bit FNV-1a hash of `data`, as 16 hex digits.
    static func fnv1a(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
