import Foundation

/// The encodings a message needs to carry any text in 7-bit SMTP: encoded words for headers (RFC 2047),
/// quoted-printable bodies (RFC 2045 §6.7), CRLF line ends (RFC 5321 §2.3.8), folded headers (RFC 5322).
enum MIMEEncoding {
    /// `text` as one or more `=?utf-8?b?…?=` words of at most 75 characters, separated by folding white
    /// space; a character is never split between two words.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45, !chunk.isEmpty {  // 45 bytes → 60 base64 characters, 72 in all
                words.append("=?utf-8?b?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?b?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// A header value: as it is when it is printable ASCII, else encoded words; line breaks never pass.
    static func headerText(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        let plain = flat.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }
        if plain, !flat.contains("=?"), flat.utf8.count <= 900 { return fold(flat) }
        return encodedWords(flat)
    }

    /// Folds a long ASCII header value at spaces so no line passes 78 characters where it can be avoided.
    static func fold(_ value: String) -> String {
        guard value.utf8.count > 70 else { return value }
        var lines: [String] = []
        var line = ""
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if !line.isEmpty, line.utf8.count + 1 + word.utf8.count > 70 {
                lines.append(line)
                line = String(word)
            } else {
                line = line.isEmpty && lines.isEmpty ? String(word) : line + " " + word
            }
        }
        lines.append(line)
        return lines.joined(separator: "\r\n ")
    }

    /// Every line end (CRLF, a lone CR or LF) as CRLF.
    static func normalizedLineEnds(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// Whether a body can go as it is (`7bit`): ASCII, no NUL, lines of at most 998 bytes.
    static func isSevenBit(_ text: String) -> Bool {
        var lineLength = 0
        for byte in text.utf8 {
            if byte >= 0x80 || byte == 0 { return false }
            if byte == UInt8(ascii: "\n") { lineLength = 0 } else { lineLength += 1 }
            if lineLength > 998 { return false }
        }
        return true
    }

    /// Quoted-printable: lines of at most 76 characters (soft breaks `=`), `=`, controls and bytes over
    /// 127 as `=XX`, a space or tab before a line end encoded; line ends stay CRLF.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        let lines = normalizedLineEnds(text).components(separatedBy: "\r\n")
        for (index, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            var length = 0
            for (position, byte) in bytes.enumerated() {
                let isLast = position == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !isLast)
                let piece: [UInt8] = literal ? [byte] : [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                if length + piece.count > 75 {
                    output += [UInt8(ascii: "="), 13, 10]
                    length = 0
                }
                output += piece
                length += piece.count
            }
            if index < lines.count - 1 { output += [13, 10] }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// RFC 5322's date: `Fri, 04 Dec 2026 20:26:39 +0000`.
    static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(days[(parts.weekday ?? 1) - 1]), \(two(parts.day)) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 1970) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }
}
