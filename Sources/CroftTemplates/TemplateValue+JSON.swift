extension TemplateValue {
    /// Appends the value as JSON the way Django's `json_script` writes it (Python's `json.dumps`: `", "` and
    /// `": "` between items, non-ASCII as `\uXXXX`), keys sorted, dates as ISO 8601 strings, non-finite
    /// numbers as null.
    func appendJSON(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .double(let number): output += number.isFinite ? String(number) : "null"
        case .string(let text), .safeString(let text): TemplateValue.appendJSONString(text, to: &output)
        case .date: TemplateValue.appendJSONString(text, to: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += ", " }
                item.appendJSON(to: &output)
            }
            output += "]"
        case .dictionary(let entries):
            output += "{"
            for (index, key) in entries.keys.sorted().enumerated() {
                if index > 0 { output += ", " }
                TemplateValue.appendJSONString(key, to: &output)
                output += ": "
                entries[key]!.appendJSON(to: &output)
            }
            output += "}"
        }
    }

    /// Appends `text` as a JSON string literal (RFC 8259 section 7).
    static func appendJSONString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value > 0x7E {
                    // ensure_ascii: UTF-16 code units, as Python writes them (a surrogate pair above U+FFFF).
                    for unit in String(scalar).utf16 {
                        let hex = String(unit, radix: 16)
                        output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
