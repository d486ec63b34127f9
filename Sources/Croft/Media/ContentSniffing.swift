/// The type of a file, read from its first bytes (WHATWG MIME Sniffing, §6–7), never from what the client
/// declared: an upload called `cat.png` that starts with `<html>` is HTML, and is treated as HTML.
///
/// ```swift
/// let type = ContentSniffing.detect(Array(firstBytes))   // .png, .html, .text, .binary, ...
/// guard [.png, .jpeg, .gif, .webp].contains(type) else { throw ... }   // an allow-list per field
/// ```
public enum SniffedType: String, Sendable, CaseIterable {
    case png = "image/png", jpeg = "image/jpeg", gif = "image/gif", webp = "image/webp", bmp = "image/bmp"
    case icon = "image/x-icon"
    case pdf = "application/pdf", zip = "application/zip", gzip = "application/gzip"
    case mp4 = "video/mp4", webm = "video/webm", mp3 = "audio/mpeg", ogg = "application/ogg"
    /// HTML: could run as the site if served inline.
    case html = "text/html"
    /// SVG: an image that can hold scripts.
    case svg = "image/svg+xml"
    /// Other XML.
    case xml = "text/xml"
    /// Text without binary bytes.
    case text = "text/plain"
    /// Anything else.
    case binary = "application/octet-stream"

    /// The MIME type to serve it as.
    public var mimeType: String { rawValue }

    /// Raster images a browser shows without running anything (SVG is not one of them).
    public var isSafeImage: Bool { [.png, .jpeg, .gif, .webp, .bmp, .icon].contains(self) }

    /// Types a browser could execute (script, markup) if it rendered them as a page.
    public var isActive: Bool { [.html, .svg, .xml].contains(self) }
}

/// Detecting a ``SniffedType`` from leading bytes.
public enum ContentSniffing {
    /// How many leading bytes are read (WHATWG's resource header: 1,445 bytes).
    public static let headerLength = 1445

    /// The type of a file whose first bytes (at most ``headerLength`` are looked at) are `bytes`.
    public static func detect(_ bytes: some Collection<UInt8>) -> SniffedType {
        let header = Array(bytes.prefix(headerLength))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            header.count >= offset + prefix.count && Array(header[offset..<(offset + prefix.count)]) == prefix
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)), starts(Array("WEBPVP".utf8), at: 8) { return .webp }
        if starts(Array("BM".utf8)) { return .bmp }
        if starts([0x00, 0x00, 0x01, 0x00]) || starts([0x00, 0x00, 0x02, 0x00]) { return .icon }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return .zip }
        if starts([0x1F, 0x8B, 0x08]) { return .gzip }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return .webm }
        if starts(Array("ID3".utf8)) { return .mp3 }
        if starts(Array("OggS".utf8) + [0]) { return .ogg }
        if isMP4(header) { return .mp4 }
        if let markup = markup(header) { return markup }
        // WHATWG's binary data bytes; a byte-order mark means text.
        if starts([0xEF, 0xBB, 0xBF]) || starts([0xFE, 0xFF]) || starts([0xFF, 0xFE]) { return .text }
        let binary = header.contains { $0 <= 0x08 || $0 == 0x0B || (0x0E...0x1A).contains($0) || (0x1C...0x1F).contains($0) }
        return binary ? .binary : .text
    }

    /// WHATWG §7.2's MP4 signature: a `ftyp` box whose brand (or a compatible one) is `mp4`.
    private static func isMP4(_ header: [UInt8]) -> Bool {
        guard header.count >= 12 else { return false }
        let size = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard size >= 12, size % 4 == 0, header.count >= size, Array(header[4..<8]) == Array("ftyp".utf8) else { return false }
        if Array(header[8..<11]) == Array("mp4".utf8) { return true }
        var offset = 16
        while offset + 3 <= size {
            if Array(header[offset..<(offset + 3)]) == Array("mp4".utf8) { return true }
            offset += 4
        }
        return false
    }

    /// HTML, SVG or XML: the first tag after white space (WHATWG §7.1's HTML patterns, case-insensitive,
    /// ending in a space or `>`), `<svg`, or `<?xml` (whose document is SVG when an `<svg` follows).
    private static func markup(_ header: [UInt8]) -> SniffedType? {
        var start = 0
        while start < header.count, [0x09, 0x0A, 0x0C, 0x0D, 0x20].contains(header[start]) { start += 1 }
        let rest = Array(header[start...])
        func tag(_ name: String) -> Bool {
            let pattern = Array(name.utf8)
            guard rest.count > pattern.count else { return false }
            for (index, byte) in pattern.enumerated() {
                let actual = rest[index]
                let lowered = (0x41...0x5A).contains(actual) ? actual + 32 : actual
                if lowered != byte { return false }
            }
            let next = rest[pattern.count]
            return next == 0x20 || next == 0x3E || next == 0x09 || next == 0x0A || next == 0x0D || next == 0x0C
        }
        let html = ["<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table", "<a", "<style",
                    "<title", "<b", "<body", "<br", "<p", "<!--"]
        if html.contains(where: tag) { return .html }
        if tag("<svg") { return .svg }
        if rest.count >= 5, Array(rest[0..<5]).map({ (0x41...0x5A).contains($0) ? $0 + 32 : $0 }) == Array("<?xml".utf8) {
            let text = String(decoding: rest, as: UTF8.self).lowercased()
            return text.contains("<svg") ? .svg : .xml
        }
        return nil
    }
}
