#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves files under one directory with validators, ranges and streaming.
///
/// `ETag` and `Last-Modified` with 304 answers (RFC 9110 §13), single byte ranges with 206 and 416
/// (RFC 9110 §14), `Cache-Control` (long and immutable only when the URL's `?v=` is the file's own content
/// hash, as `{% static %}` writes it: any other `v` could pin a stale or chosen copy for a year), and no
/// way out of the root: `..` segments, encoded dots, NUL bytes and symlinks leading outside all give 404.
public struct StaticFiles: Sendable {
    /// The directory served, resolved to its real path.
    public let root: String
    /// `Cache-Control` for plain URLs.
    public var cacheControl = "public, max-age=3600"
    /// `Cache-Control` for URLs with a `v=` content hash, which never change.
    public var immutableCacheControl = "public, max-age=31536000, immutable"
    /// Files up to this size are read in one go; larger ones are streamed in 64 KiB pieces.
    public var streamingThreshold = 256 * 1024
    /// The content hash of a file (its path relative to the directory, decoded), which `?v=` must equal for
    /// the immutable `Cache-Control`; without it, no URL is immutable.
    public var contentVersion: (@Sendable (String) -> String?)?

    /// Serves `directory` (relative paths are taken from the working directory).
    public init(directory: String, contentVersion: (@Sendable (String) -> String?)? = nil) {
        root = Self.realPath(directory) ?? directory
        self.contentVersion = contentVersion
    }

    /// The response for `relativePath` (still percent-encoded, as taken from the URL), or nil for 404.
    public func response(for request: Request, relativePath: some StringProtocol) -> Response? {
        guard request.method == .get || request.method == .head else { return nil }
        guard let path = resolve(relativePath) else { return nil }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(info.st_size)
        let modifiedAt = Platform.modificationTime(info)
        let modified = Int(modifiedAt.tv_sec)
        let etag = "\"\(String(size, radix: 16))-\(String(modified, radix: 16))-\(String(Int(modifiedAt.tv_nsec) / 1000, radix: 16))\""
        var headers: HTTPHeaders = [
            "Content-Type": MediaType.forFileName(path),
            "ETag": etag,
            "Last-Modified": HTTPDate.format(epochSeconds: modified),
            "Accept-Ranges": "bytes",
            "Cache-Control": isVersioned(request, relativePath: relativePath) ? immutableCacheControl : cacheControl,
        ]
        if isNotModified(request, etag: etag, modified: modified) {
            headers.remove(name: "Content-Type")
            return Response(status: .notModified, headers: headers)
        }
        var start = 0
        var length = size
        var status = HTTPStatus.ok
        if let rangeHeader = request.headers["Range"], rangeApplies(request, etag: etag, modified: modified) {
            switch ByteRange.parse(rangeHeader, size: size) {
            case .satisfiable(let first, let last):
                start = first
                length = last - first + 1
                status = .partialContent
                headers["Content-Range"] = "bytes \(first)-\(last)/\(size)"
            case .unsatisfiable:
                headers["Content-Range"] = "bytes */\(size)"
                headers.remove(name: "Content-Type")
                return Response(status: .rangeNotSatisfiable, headers: headers)
            case .ignored:
                break
            }
        }
        if request.method == .head || length <= streamingThreshold {
            if request.method == .head {
                return Response(status: status, headers: headers, body: .stream(ResponseStream(length: length) { _ in }))
            }
            guard let bytes = Self.read(path: path, offset: start, length: length) else { return nil }
            return Response(status: status, headers: headers, body: .bytes(bytes))
        }
        let (offset, total) = (start, length)
        return Response(status: status, headers: headers, body: .stream(ResponseStream(length: total) { writer in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw StaticFileError(path: path, errno: errno) }
            defer { close(fd) }
            var position = offset
            var remaining = total
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while remaining > 0 {
                let want = min(remaining, buffer.count)
                let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(position)) }
                guard got > 0 else { throw StaticFileError(path: path, errno: errno) }
                try await writer.write(Array(buffer[0..<got]))
                position += got
                remaining -= got
            }
        }))
    }

    /// Maps a URL path to a file path inside the root, or nil if it would leave it.
    func resolve(_ relativePath: some StringProtocol) -> String? {
        guard let relative = Self.normalized(relativePath) else { return nil }
        let candidate = root + "/" + relative
        // Symlinks are followed only when the real target stays inside the root.
        guard let real = Self.realPath(candidate), real.hasPrefix(root + "/") else { return nil }
        return real
    }

    /// The decoded path below the root (`css/app.css`), or nil when it could lead outside or to a dotfile.
    static func normalized(_ relativePath: some StringProtocol) -> String? {
        let decoded = FormDecoding.percentDecode(relativePath)
        guard !decoded.isEmpty, !decoded.utf8.contains(0), !decoded.contains("\\") else { return nil }
        var parts: [Substring] = []
        for segment in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == ".." || segment == "." { return nil }
            if segment.hasPrefix(".") { return nil }  // dotfiles (.env, .git) are never served
            parts.append(segment)
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }

    /// Whether the URL's `v` is this file's content hash (only then may it be cached for a year).
    private func isVersioned(_ request: Request, relativePath: some StringProtocol) -> Bool {
        guard let contentVersion, let version = request.query["v"], !version.isEmpty,
              let relative = Self.normalized(relativePath), let expected = contentVersion(relative) else { return false }
        return version == expected
    }

    private func isNotModified(_ request: Request, etag: String, modified: Int) -> Bool {
        // RFC 9110 §13.2.2: If-None-Match takes precedence over If-Modified-Since.
        if let noneMatch = request.headers["If-None-Match"] {
            return noneMatch.split(separator: ",").contains { tag in
                let trimmed = tag.trimmingOWS()
                return trimmed == "*" || trimmed == etag || trimmed == "W/" + etag
            }
        }
        if let since = request.headers["If-Modified-Since"], let date = HTTPDate.parse(since) {
            return modified <= date
        }
        return false
    }

    private func rangeApplies(_ request: Request, etag: String, modified: Int) -> Bool {
        guard let ifRange = request.headers["If-Range"] else { return true }
        if ifRange.hasPrefix("\"") { return ifRange == etag }
        if let date = HTTPDate.parse(ifRange) { return modified <= date }
        return false
    }

    static func read(path: String, offset: Int, length: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, length - done, off_t(offset + done)) }
            if got <= 0 { return nil }
            done += got
        }
        return bytes
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// A static file that vanished or became unreadable while streaming.
struct StaticFileError: Error, CustomStringConvertible {
    let path: String
    let errno: Int32
    var description: String { "cannot read \(path): \(String(cString: strerror(errno)))" }
}

/// A single byte range from a `Range` header (RFC 9110 §14.1.2).
enum ByteRange: Equatable {
    case satisfiable(first: Int, last: Int)
    case unsatisfiable
    /// Not a single well-formed byte range: serve the whole representation (allowed by §14.2).
    case ignored

    static func parse(_ header: String, size: Int) -> ByteRange {
        guard header.hasPrefix("bytes=") else { return .ignored }
        let spec = header.dropFirst(6).trimmingOWS()
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .ignored }
        let firstText = spec[..<dash]
        let lastText = spec[spec.index(after: dash)...]
        let isDigits = { (text: Substring) in text.utf8.allSatisfy { (48...57).contains($0) } && text.utf8.count <= 18 }
        guard isDigits(firstText), isDigits(lastText) else { return .ignored }
        if firstText.isEmpty {
            // Suffix range: the last N bytes.
            guard let suffix = Int(lastText) else { return .ignored }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .satisfiable(first: max(0, size - suffix), last: size - 1)
        }
        guard let first = Int(firstText) else { return .ignored }
        let last = lastText.isEmpty ? size - 1 : (Int(lastText) ?? -1)
        guard last >= first || lastText.isEmpty else { return .ignored }
        guard first < size else { return .unsatisfiable }
        return .satisfiable(first: first, last: min(last, size - 1))
    }
}
