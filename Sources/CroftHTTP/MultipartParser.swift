import CroftCore
import Foundation

/// Bounds on one `multipart/form-data` body, checked as it is read (RFC 7578).
public struct MultipartLimits: Sendable, Equatable {
    /// The most parts (fields and files) a body may have.
    public var maxParts: Int = 1000
    /// The most bytes of one part's header block.
    public var maxPartHeaderSize: Int = 8192
    /// The most bytes of one file part.
    public var maxFileSize: Int = 100 * 1024 * 1024
    /// The most bytes of one text field (a part without a file name).
    public var maxFieldSize: Int = 2_621_440

    /// The defaults: 1,000 parts, 8 KiB of headers a part, 100 MiB a file, 2.5 MB a field.
    public init() {}
}

/// Why a multipart body was refused; ``status`` is the answer (400, or 413 for a size).
public enum MultipartError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `Content-Type` has no usable `boundary` (RFC 2046 §5.1.1: 1–70 characters of a fixed set).
    case badBoundary
    /// The body does not follow the format; the text says where.
    case malformed(String)
    /// More parts than ``MultipartLimits/maxParts``.
    case tooManyParts(limit: Int)
    /// A part's headers are longer than ``MultipartLimits/maxPartHeaderSize``.
    case headerTooLarge(limit: Int)
    /// A file or field is larger than its limit.
    case partTooLarge(name: String, limit: Int)
    /// The body ended before the closing delimiter.
    case incomplete

    /// 413 for a size over a limit, 400 for everything else.
    public var status: Int {
        if case .partTooLarge = self { return 413 }
        return 400
    }

    public var description: String {
        switch self {
        case .badBoundary: "the multipart body has no valid boundary in its Content-Type"
        case .malformed(let detail): "malformed multipart body: \(detail)"
        case .tooManyParts(let limit): "the form has more than \(limit) parts"
        case .headerTooLarge(let limit): "a part's headers are longer than \(limit) bytes"
        case .partTooLarge(let name, let limit): "the part '\(name)' is larger than \(limit) bytes"
        case .incomplete: "the multipart body ended before its closing boundary"
        }
    }
}

/// One part's head: its field name, the file name the browser sent (for display only), its declared type.
public struct MultipartPartHead: Sendable, Equatable {
    /// `Content-Disposition`'s `name`.
    public var name: String
    /// `filename*` (RFC 8187) or `filename`, reduced to a bare name (no path, no control characters,
    /// at most 255 bytes); nil for a text field. Never use it as a path.
    public var filename: String?
    /// The `Content-Type` the client declared; not to be trusted (detect a file's type from its bytes).
    public var contentType: String?

    /// A part head (for tests and for writing bodies).
    public init(name: String, filename: String? = nil, contentType: String? = nil) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
    }
}

/// What ``MultipartParser`` found in the bytes given so far.
public enum MultipartEvent: Sendable, Equatable {
    /// A part begins.
    case partStart(MultipartPartHead)
    /// The next bytes of the current part's content.
    case partData([UInt8])
    /// The current part ended.
    case partEnd
}

/// A sans-IO `multipart/form-data` parser (RFC 7578, RFC 2046 §5.1): bytes in, events out, in any
/// chunking, holding back only what could be the start of a delimiter (at most 73 bytes) plus one part's
/// header block, so a file of any size passes through in bounded memory.
///
/// ```swift
/// var parser = try MultipartParser(boundary: boundary, limits: MultipartLimits())
/// for chunk in chunks { for event in try parser.consume(chunk) { ... } }
/// try parser.finish()
/// ```
public struct MultipartParser: Sendable {
    private enum State: Sendable {
        case preamble
        case afterDelimiter
        case headers
        case body
        case epilogue
        case failed(MultipartError)
    }

    private let delimiter: [UInt8]  // CRLF "--" boundary
    private let limits: MultipartLimits
    private var state = State.preamble
    private var buffer: [UInt8]
    private var parts = 0
    private var partSize = 0
    private var current: MultipartPartHead?

    /// A parser for bodies with this boundary (from ``boundary(contentType:)``).
    public init(boundary: String, limits: MultipartLimits = MultipartLimits()) throws(MultipartError) {
        guard Self.isValidBoundary(boundary) else { throw .badBoundary }
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.limits = limits
        // The first delimiter may open the body without the CRLF before it: read as if one were there.
        buffer = [13, 10]
    }

    /// The `boundary` parameter of a `multipart/form-data` content type; nil for another type or a bad boundary.
    public static func boundary(contentType: some StringProtocol) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let type = parts.first, type.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() {
            guard let equals = parameter.firstIndex(of: "=") else { continue }
            guard parameter[..<equals].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = parameter[parameter.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return isValidBoundary(value) ? value : nil
        }
        return nil
    }

    /// RFC 2046's `bchars`, 1 to 70 of them, not ending in a space.
    static func isValidBoundary(_ boundary: String) -> Bool {
        let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ".utf8)
        let bytes = Array(boundary.utf8)
        return !bytes.isEmpty && bytes.count <= 70 && bytes.allSatisfy(allowed.contains) && bytes.last != UInt8(ascii: " ")
    }

    /// Reads more of the body; returns what it completes. A refusal is final: every later call throws it again,
    /// and the events of the call that failed are not returned (the body is refused whole).
    public mutating func consume(_ bytes: some Collection<UInt8>) throws(MultipartError) -> [MultipartEvent] {
        if case .failed(let error) = state { throw error }
        buffer.append(contentsOf: bytes)
        var events: [MultipartEvent] = []
        do {
            try run(&events)
        } catch {
            state = .failed(error)
            throw error
        }
        return events
    }

    /// The body is over: throws unless its closing delimiter was read.
    public mutating func finish() throws(MultipartError) {
        switch state {
        case .epilogue: return
        case .failed(let error): throw error
        default:
            state = .failed(.incomplete)
            throw .incomplete
        }
    }

    private mutating func run(_ events: inout [MultipartEvent]) throws(MultipartError) {
        while true {
            switch state {
            case .preamble:
                guard let found = search(delimiter) else {
                    // Text before the first delimiter is ignored (RFC 2046): keep only a possible delimiter start.
                    buffer.removeFirst(max(0, buffer.count - (delimiter.count - 1)))
                    return
                }
                buffer.removeFirst(found + delimiter.count)
                state = .afterDelimiter
            case .afterDelimiter:
                // "--" closes the body; otherwise optional spaces or tabs, then CRLF, then a part's headers.
                guard buffer.count >= 2 else { return }
                if buffer[0] == UInt8(ascii: "-"), buffer[1] == UInt8(ascii: "-") {
                    buffer.removeAll()
                    state = .epilogue
                    continue
                }
                var index = 0
                while index < buffer.count, buffer[index] == 32 || buffer[index] == 9 { index += 1 }
                guard index <= 64 else { throw .malformed("more than 64 spaces after a boundary") }
                guard index + 1 < buffer.count else { return }
                guard buffer[index] == 13, buffer[index + 1] == 10 else { throw .malformed("a boundary is not followed by CRLF") }
                buffer.removeFirst(index + 2)
                parts += 1
                guard parts <= limits.maxParts else { throw .tooManyParts(limit: limits.maxParts) }
                state = .headers
            case .headers:
                // Headers end at an empty line; a part with none starts with it.
                let end: Int
                let length: Int
                if buffer.count >= 2, buffer[0] == 13, buffer[1] == 10 {
                    (end, length) = (0, 2)
                } else if let found = search([13, 10, 13, 10]) {
                    (end, length) = (found, 4)
                } else {
                    // Up to the limit and a terminator's first three bytes may be waiting for the rest.
                    guard buffer.count <= limits.maxPartHeaderSize + 3 else { throw .headerTooLarge(limit: limits.maxPartHeaderSize) }
                    return
                }
                guard end <= limits.maxPartHeaderSize else { throw .headerTooLarge(limit: limits.maxPartHeaderSize) }
                let head = try Self.partHead(Array(buffer[..<end]))
                buffer.removeFirst(end + length)
                current = head
                partSize = 0
                events.append(.partStart(head))
                state = .body
            case .body:
                if let found = search(delimiter) {
                    try emit(count: found, &events)
                    buffer.removeFirst(delimiter.count)
                    events.append(.partEnd)
                    current = nil
                    state = .afterDelimiter
                } else {
                    // Everything but what could be the start of the next delimiter is the part's.
                    try emit(count: max(0, buffer.count - (delimiter.count - 1)), &events)
                    return
                }
            case .epilogue:
                buffer.removeAll()
                return
            case .failed(let error):
                throw error
            }
        }
    }

    /// Emits the first `count` buffered bytes as the current part's data, within its limit.
    private mutating func emit(count: Int, _ events: inout [MultipartEvent]) throws(MultipartError) {
        guard count > 0, let head = current else { return }
        partSize += count
        let limit = head.filename == nil ? limits.maxFieldSize : limits.maxFileSize
        guard partSize <= limit else { throw .partTooLarge(name: head.name, limit: limit) }
        events.append(.partData(Array(buffer[..<count])))
        buffer.removeFirst(count)
    }

    /// Where `needle` first occurs in the buffer.
    private func search(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        let first = needle[0]
        var index = 0
        let last = buffer.count - needle.count
        while index <= last {
            if buffer[index] == first {
                var matched = true
                for offset in 1..<needle.count where buffer[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    /// Reads a part's header block: `Content-Disposition: form-data; name=...` is required.
    static func partHead(_ block: [UInt8]) throws(MultipartError) -> MultipartPartHead {
        var disposition: String?
        var contentType: String?
        let text = String(decoding: block, as: UTF8.self)
        var fields = 0
        for line in text.components(separatedBy: "\r\n") where !line.isEmpty {
            fields += 1
            guard fields <= 16 else { throw .malformed("a part has more than 16 header fields") }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  !line.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw .malformed("a part header line is not 'Name: value'")
            }
            let name = line[..<colon].lowercased()
            guard !name.contains(where: { $0 == " " || $0 == "\t" }) else { throw .malformed("a part header name has spaces") }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-disposition":
                guard disposition == nil else { throw .malformed("two Content-Disposition headers") }
                disposition = value
            case "content-type":
                contentType = value
            default:
                break
            }
        }
        guard let disposition else { throw .malformed("a part has no Content-Disposition") }
        let (kind, parameters) = try dispositionParameters(disposition)
        guard kind == "form-data" else { throw .malformed("a part's Content-Disposition is not form-data") }
        guard let name = parameters["name"] else { throw .malformed("a part has no name") }
        var filename: String?
        if let extended = parameters["filename*"], let decoded = decodeExtendedValue(extended) {
            filename = decoded
        } else {
            filename = parameters["filename"]
        }
        return MultipartPartHead(name: name, filename: filename.map(cleanFilename), contentType: contentType)
    }

    /// `form-data; name="a"; filename="b"` as its type and parameters (names lowercased; in quoted strings
    /// `\\` and `\"` unescaped; the `%22`, `%0D`, `%0A` browsers write for `"`, CR and LF decoded).
    static func dispositionParameters(_ value: String) throws(MultipartError) -> (String, [String: String]) {
        let scalars = Array(value.unicodeScalars)
        var index = 0
        func skipSpaces() { while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 } }
        func token() -> String {
            let start = index
            while index < scalars.count, scalars[index] != ";", scalars[index] != "=", scalars[index] != " ", scalars[index] != "\t" {
                index += 1
            }
            return String(String.UnicodeScalarView(scalars[start..<index]))
        }
        skipSpaces()
        let kind = token().lowercased()
        var parameters: [String: String] = [:]
        while true {
            skipSpaces()
            guard index < scalars.count else { break }
            guard scalars[index] == ";" else { throw .malformed("unexpected text in Content-Disposition") }
            index += 1
            skipSpaces()
            if index >= scalars.count { break }
            let name = token().lowercased()
            skipSpaces()
            guard !name.isEmpty, index < scalars.count, scalars[index] == "=" else {
                throw .malformed("a Content-Disposition parameter has no value")
            }
            index += 1
            skipSpaces()
            var parameterValue = String.UnicodeScalarView()
            if index < scalars.count, scalars[index] == "\"" {
                index += 1
                var closed = false
                while index < scalars.count {
                    let scalar = scalars[index]
                    // Only `\\` and `\"` are escapes (as Django reads them): browsers send `\` in a path as it is.
                    if scalar == "\\", index + 1 < scalars.count, scalars[index + 1] == "\\" || scalars[index + 1] == "\"" {
                        parameterValue.append(scalars[index + 1])
                        index += 2
                        continue
                    }
                    if scalar == "\"" {
                        closed = true
                        index += 1
                        break
                    }
                    parameterValue.append(scalar)
                    index += 1
                }
                guard closed else { throw .malformed("an unterminated quoted string in Content-Disposition") }
            } else {
                parameterValue = token().unicodeScalars
            }
            guard parameters[name] == nil else { throw .malformed("the parameter '\(name)' is given twice") }
            parameters[name] = String(parameterValue).replacingOccurrences(of: "%22", with: "\"")
                .replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%0A", with: "\n")
        }
        return (kind, parameters)
    }

    /// RFC 8187's `charset'language'percent-encoded`, for UTF-8 and ISO-8859-1; nil otherwise.
    static func decodeExtendedValue(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3 else { return nil }
        let charset = pieces[0].lowercased()
        var bytes: [UInt8] = []
        let raw = Array(pieces[2].utf8)
        var index = 0
        while index < raw.count {
            if raw[index] == UInt8(ascii: "%"), index + 2 < raw.count,
               let high = PercentEncoding.hexValue(raw[index + 1]), let low = PercentEncoding.hexValue(raw[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(raw[index])
                index += 1
            }
        }
        switch charset {
        case "utf-8": return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1": return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default: return nil
        }
    }

    /// A file name as a bare name: after the last `/` or `\`, no control characters, at most 255 bytes, never
    /// `.` or `..` (those become empty).
    static func cleanFilename(_ name: String) -> String {
        let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(base.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        while cleaned.utf8.count > 255 { cleaned.removeLast() }
        return cleaned == "." || cleaned == ".." ? "" : cleaned
    }
}
