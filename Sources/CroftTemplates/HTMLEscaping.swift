/// HTML escaping of the five characters that matter: `& < > " '`.
///
/// Escaping the quotes too means `value="{{ x }}"` and `value='{{ x }}'` are both safe
/// attribute contexts. Text without any of the five is appended in one piece.
enum HTMLEscaping {
    /// Appends `text` to `output`, escaped for HTML text and quoted attributes.
    static func append(_ text: String, to output: inout String) {
        let utf8 = text.utf8
        var chunkStart = utf8.startIndex
        var index = chunkStart
        while index != utf8.endIndex {
            let replacement: String
            switch utf8[index] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "'"): replacement = "&#x27;"
            default:
                utf8.formIndex(after: &index)
                continue
            }
            if chunkStart != index { output.append(contentsOf: text[chunkStart..<index]) }
            output.append(replacement)
            utf8.formIndex(after: &index)
            chunkStart = index
        }
        if chunkStart == utf8.startIndex {
            output.append(text)
        } else if chunkStart != utf8.endIndex {
            output.append(contentsOf: text[chunkStart..<utf8.endIndex])
        }
    }

    /// Returns `text` escaped for HTML.
    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        append(text, to: &output)
        return output
    }
}

/// Escapes `& < > " '` for HTML text and quoted attribute values, as templates do.
public func escapeHTML(_ text: some StringProtocol) -> String {
    HTMLEscaping.escape(String(text))
}
