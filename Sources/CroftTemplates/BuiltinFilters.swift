import CroftCore
import Foundation

/// The filters every template can use, following Django's behaviour.
///
/// Text filters that cannot break HTML (`lower`, `title`, `truncatechars`...) keep a safe
/// string safe; `upper` does not (it would turn `&amp;` into `&AMP;`), like Django.
enum BuiltinFilters {
    /// Every built-in filter by name.
    static let all: [String: TemplateFilter] = text.merging(values) { first, _ in first }.merging(django) { first, _ in first }
        .merging(djangoMore) { first, _ in first }

    static let text: [String: TemplateFilter] = [
        "upper": TemplateFilter(.none) { value, _, _ in .string(value.text.uppercased()) },
        "lower": TemplateFilter(.none) { value, _, _ in keepingSafety(value, value.text.lowercased()) },
        "title": TemplateFilter(.none) { value, _, _ in keepingSafety(value, titleCased(value.text)) },
        "capfirst": TemplateFilter(.none) { value, _, _ in
            let text = value.text
            return keepingSafety(value, text.prefix(1).uppercased() + text.dropFirst())
        },
        "truncatechars": TemplateFilter(.required) { value, argument, _ in
            guard let limit = argument?.integer else { return value }
            let text = value.text
            guard limit > 0 else { return keepingSafety(value, "") }
            guard text.count > limit else { return value }
            return keepingSafety(value, text.prefix(limit - 1) + "…")
        },
        "truncatewords": TemplateFilter(.required) { value, argument, _ in
            guard let limit = argument?.integer else { return value }
            guard limit > 0 else { return keepingSafety(value, "") }
            let words = value.text.split(whereSeparator: \.isWhitespace)
            guard words.count > max(limit, 0) else { return keepingSafety(value, words.joined(separator: " ")) }
            return keepingSafety(value, (words.prefix(max(limit, 0)) + ["…"]).joined(separator: " "))
        },
        "escape": TemplateFilter(.none) { value, _, _ in
            value.isSafe ? value : .safeString(HTMLEscaping.escape(value.text))
        },
        "force_escape": TemplateFilter(.none) { value, _, _ in .safeString(HTMLEscaping.escape(value.text)) },
        "safe": TemplateFilter(.none) { value, _, _ in .safeString(value.text) },
        "urlencode": TemplateFilter(.optional) { value, argument, _ in
            .string(percentEncoded(value.text, keeping: argument?.text ?? "/"))
        },
        "linebreaksbr": TemplateFilter(.none) { value, _, context in
            var text = value.text
            if context.autoescape && !value.isSafe { text = HTMLEscaping.escape(text) }
            text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .replacingOccurrences(of: "\n", with: "<br>")
            return .safeString(text)
        },
        "join": TemplateFilter(.required) { value, argument, context in
            // Django joins whatever it can iterate: a list, the characters of a string, a dictionary's keys.
            let items: [TemplateValue]
            switch value {
            case .array(let elements): items = elements
            case .string, .safeString, .dictionary: items = value.iterationElements
            default: return value
            }
            let separator = argument ?? .string("")
            let escapeAll = context.autoescape
            func piece(_ item: TemplateValue) -> String {
                escapeAll && !item.isSafe ? HTMLEscaping.escape(item.text) : item.text
            }
            return .safeString(items.map(piece).joined(separator: piece(separator)))
        },
        "json_script": TemplateFilter(.optional) { value, argument, _ in
            var json = ""
            value.appendJSON(to: &json)
            json = json.replacingOccurrences(of: "&", with: "\\u0026")
                .replacingOccurrences(of: "<", with: "\\u003C").replacingOccurrences(of: ">", with: "\\u003E")
            let id = argument.map(\.text).flatMap { $0.isEmpty ? nil : $0 }
            let idAttribute = id.map { " id=\"\(HTMLEscaping.escape($0))\"" } ?? ""
            return .safeString("<script\(idAttribute) type=\"application/json\">\(json)</script>")
        },
        "date": TemplateFilter(.optional) { value, argument, context in
            guard let date = instant(value) else { return .string("") }
            return .string(DateFormat.format(date, argument?.text ?? "N j, Y", calendar: context.calendar))
        },
    ]

    /// Returns `text` as safe when `original` was safe, plain otherwise.
    static func keepingSafety(_ original: TemplateValue, _ text: String) -> TemplateValue {
        original.isSafe ? .safeString(text) : .string(text)
    }

    /// Capitalizes the first letter of every word and lowercases the rest, like Django's `title`
    /// (a letter after an apostrophe that follows a letter stays lowercase: "don't").
    static func titleCased(_ text: String) -> String {
        // Python's str.title (a letter is capitalised unless a letter precedes it), then Django's two
        // repairs: a letter after an apostrophe that follows a lower-case letter, and after a digit, is
        // lower case again ("don't", "1st").
        var output: [Character] = []
        output.reserveCapacity(text.count)
        var previous: Character?
        for character in text {
            let afterLetter = previous.map { $0.isLetter } ?? false
            output.append(contentsOf: afterLetter ? character.lowercased() : character.uppercased())
            previous = character
        }
        for index in output.indices.dropFirst() where output[index].isUppercase {
            let before = output[index - 1]
            if before.isNumber || (before == "'" && index >= 2 && output[index - 2].isLowercase) {
                output[index] = Character(output[index].lowercased())
            }
        }
        return String(output)
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986 section 2.3) and `keeping`.
    static func percentEncoded(_ text: String, keeping: String) -> String {
        PercentEncoding.encode(text, keeping: keeping)
    }
}
