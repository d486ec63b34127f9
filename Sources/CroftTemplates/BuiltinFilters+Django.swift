import CroftCore
import Foundation

/// More of Django 5.2's built-in filters ("Built-in template tags and filters"), with Django's output:
/// each was compared with real Django (Tests/CroftTemplatesTests/Django).
extension BuiltinFilters {
    static let django: [String: TemplateFilter] = [
        // Text that keeps its safety (Django's is_safe=True): escaped on output unless it was safe.
        "addslashes": TemplateFilter(.none) { value, _, _ in
            keepingSafety(value, value.text.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "'", with: "\\'"))
        },
        "center": TemplateFilter(.required) { value, argument, _ in
            keepingSafety(value, padded(value.text, width: argument?.integer, side: .both))
        },
        "ljust": TemplateFilter(.required) { value, argument, _ in
            keepingSafety(value, padded(value.text, width: argument?.integer, side: .right))
        },
        "rjust": TemplateFilter(.required) { value, argument, _ in
            keepingSafety(value, padded(value.text, width: argument?.integer, side: .left))
        },
        "cut": TemplateFilter(.required) { value, argument, _ in
            let removed = argument?.text ?? ""
            let text = removed.isEmpty ? value.text : value.text.replacingOccurrences(of: removed, with: "")
            // Removing ";" could break an entity such as "&amp;": Django keeps safety for anything else.
            return value.isSafe && removed != ";" ? .safeString(text) : .string(text)
        },
        "escapejs": TemplateFilter(.none) { value, _, _ in .safeString(escapedForJavaScript(value.text)) },
        "escapeseq": TemplateFilter(.none) { value, _, _ in
            guard case .array(let items) = value else { return value }
            return .array(items.map { $0.isSafe ? $0 : .safeString(HTMLEscaping.escape($0.text)) })
        },
        "safeseq": TemplateFilter(.none) { value, _, _ in
            guard case .array(let items) = value else { return value }
            return .array(items.map { .safeString($0.text) })
        },
        "filesizeformat": TemplateFilter(.none) { value, _, _ in .string(fileSize(value)) },
        "get_digit": TemplateFilter(.required) { value, argument, _ in
            guard let number = value.integer, value.isIntegerLike, let position = argument?.integer else { return value }
            guard position >= 1 else { return value }
            let digits = Array(String(number))
            return position <= digits.count ? .int(Int(String(digits[digits.count - position])) ?? 0) : .int(0)
        },
        "iriencode": TemplateFilter(.none) { value, _, _ in
            // Django's iri_to_uri: RFC 3987 §3.1, keeping the characters a URI may hold.
            keepingSafety(value, PercentEncoding.encode(value.text, keeping: "/#%[]=:;$&()+,!?*@'~"))
        },
        "linebreaks": TemplateFilter(.none) { value, _, context in
            let escape = context.autoescape && !value.isSafe
            let text = value.text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            let paragraphs = splitParagraphs(text).map { paragraph in
                "<p>" + (escape ? HTMLEscaping.escape(paragraph) : paragraph).replacingOccurrences(of: "\n", with: "<br>") + "</p>"
            }
            return .safeString(paragraphs.joined(separator: "\n\n"))
        },
        "linenumbers": TemplateFilter(.none) { value, _, context in
            let lines = value.text.components(separatedBy: "\n")
            let width = String(lines.count).count
            let escape = context.autoescape && !value.isSafe
            return .safeString(lines.enumerated().map { index, line in
                let number = String(index + 1)
                return String(repeating: "0", count: width - number.count) + number + ". " + (escape ? HTMLEscaping.escape(line) : line)
            }.joined(separator: "\n"))
        },
        "make_list": TemplateFilter(.none) { value, _, _ in
            .array(value.text.map { .string(String($0)) })
        },
        "phone2numeric": TemplateFilter(.none) { value, _, _ in
            .string(String(value.text.lowercased().map { phoneDigits[$0] ?? $0 }))
        },
        "random": TemplateFilter(.none) { value, _, _ in
            guard case .array(let items) = value, let item = items.randomElement() else { return .string("") }
            return item
        },
        "slugify": TemplateFilter(.none) { value, _, _ in keepingSafety(value, slugified(value.text)) },
        "wordcount": TemplateFilter(.none) { value, _, _ in
            .int(value.text.split(whereSeparator: { $0.isWhitespace }).count)
        },
        "striptags": TemplateFilter(.none) { value, _, _ in keepingSafety(value, strippingTags(value.text)) },
        "dictsort": TemplateFilter(.required) { value, argument, _ in
            sortedByKey(value, argument?.text ?? "", descending: false)
        },
        "dictsortreversed": TemplateFilter(.required) { value, argument, _ in
            sortedByKey(value, argument?.text ?? "", descending: true)
        },
        "unordered_list": TemplateFilter(.none) { value, _, context in
            .safeString(unorderedList(value, escape: context.autoescape, tabs: 1))
        },
        // HTML in, HTML out: Django's is_safe=True, so text that was not safe is still escaped on output.
        "truncatechars_html": TemplateFilter(.required) { value, argument, _ in
            guard let limit = argument?.integer else { return value }
            return keepingSafety(value, HTMLTruncation.truncate(value.text, limit: limit, unit: .characters))
        },
        "truncatewords_html": TemplateFilter(.required) { value, argument, _ in
            guard let limit = argument?.integer else { return value }
            return keepingSafety(value, HTMLTruncation.truncate(value.text, limit: limit, unit: .words))
        },
        "urlize": TemplateFilter(.none) { value, _, context in
            .safeString(Urlize.urlize(value.text, escape: context.autoescape, safe: value.isSafe))
        },
        "urlizetrunc": TemplateFilter(.required) { value, argument, context in
            // A limit that is not a number links without shortening (Django raises ValueError: a 500).
            .safeString(Urlize.urlize(value.text, trimTo: argument?.integer, escape: context.autoescape, safe: value.isSafe))
        },
    ]

    enum PaddingSide { case left, right, both }

    /// The widest `center`/`ljust`/`rjust`/`stringformat` pads to, and the most `{% lorem %}` writes.
    static let maximumWidth = 10_000

    /// `text` padded with spaces to `width` characters, as Python's `str.center`/`ljust`/`rjust` do (a
    /// missing or non-numeric width leaves it alone; Django raises there).
    static func padded(_ text: String, width: Int?, side: PaddingSide) -> String {
        // Bounded, as every parser here is: a width from a template cannot ask for gigabytes of spaces.
        guard let width = width.map({ min($0, maximumWidth) }), width > text.count else { return text }
        let padding = width - text.count
        switch side {
        case .left: return String(repeating: " ", count: padding) + text
        case .right: return text + String(repeating: " ", count: padding)
        case .both:
            // CPython's rule: the odd space goes left when both the padding and the width are odd.
            let left = padding / 2 + (padding & width & 1)
            return String(repeating: " ", count: left) + text + String(repeating: " ", count: padding - left)
        }
    }

    /// Django's `escapejs`: the characters that could end a JavaScript string or an HTML element as
    /// `\uXXXX`, and every control character below U+0020.
    static func escapedForJavaScript(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\", "'", "\"", ">", "<", "&", "=", "-", ";", "`", "\u{2028}", "\u{2029}":
                out += "\\u" + hex4(scalar.value)
            default:
                if scalar.value < 0x20 { out += "\\u" + hex4(scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Django's `filesizeformat`: bytes, KB, MB, GB, TB, PB (powers of 1024), one decimal, a non-breaking
    /// space before the unit; anything that is not a number is `0 bytes`.
    static func fileSize(_ value: TemplateValue) -> String {
        let bytes: Double = value.integer.map(Double.init) ?? 0
        let magnitude = abs(bytes)
        let units: [(Double, String)] = [(Double(1 << 50), "PB"), (Double(1 << 40), "TB"), (Double(1 << 30), "GB"), (Double(1 << 20), "MB"), (Double(1 << 10), "KB")]
        var text: String
        if magnitude < 1024 {
            text = "\(Int(magnitude))\u{00A0}" + (magnitude == 1 ? "byte" : "bytes")
        } else {
            let (size, unit) = units.first { magnitude >= $0.0 } ?? units[0]
            text = floatFormat(magnitude / size, places: 1) + "\u{00A0}" + unit
        }
        if bytes < 0 { text = "-" + text }
        return text
    }

    /// Paragraphs separated by two or more newlines (Django's `re.split("\n{2,}", ...)`).
    static func splitParagraphs(_ text: String) -> [String] {
        var paragraphs: [String] = []
        var current = ""
        var newlines = 0
        for character in text {
            if character == "\n" {
                newlines += 1
                continue
            }
            if newlines >= 2 {
                paragraphs.append(current)
                current = ""
            } else if newlines == 1 {
                current.append("\n")
            }
            newlines = 0
            current.append(character)
        }
        if newlines >= 2 {
            paragraphs.append(current)
            current = ""
        } else if newlines == 1 {
            current.append("\n")
        }
        paragraphs.append(current)
        return paragraphs
    }

    static let phoneDigits: [Character: Character] = {
        var map: [Character: Character] = [:]
        for (digit, letters) in [("2", "abc"), ("3", "def"), ("4", "ghi"), ("5", "jkl"), ("6", "mno"), ("7", "pqrs"),
                                 ("8", "tuv"), ("9", "wxyz")] {
            for letter in letters { map[letter] = Character(digit) }
        }
        return map
    }()

    /// Django's `slugify`: ASCII only (accents folded away), lower case, word characters, spaces and
    /// hyphens kept, runs of spaces and hyphens made one hyphen, hyphens and underscores trimmed.
    static func slugified(_ text: String) -> String {
        let folded = text.decomposedStringWithCompatibilityMapping.unicodeScalars.filter(\.isASCII)
        var kept = ""
        for scalar in folded {
            let character = Character(scalar)
            if character.isLetter || character.isNumber || scalar == "_" || scalar == "-" || character.isWhitespace {
                kept.append(character.lowercased().first ?? character)
            }
        }
        var slug = ""
        var pendingHyphen = false
        for character in kept {
            if character == "-" || character.isWhitespace {
                pendingHyphen = true
            } else {
                if pendingHyphen { slug.append("-") }
                pendingHyphen = false
                slug.append(character)
            }
        }
        if pendingHyphen { slug.append("-") }
        return String(slug.drop { $0 == "-" || $0 == "_" }.reversed().drop { $0 == "-" || $0 == "_" }.reversed())
    }

    /// `text` without its HTML tags (`<...>`), repeated until none is left; entities are kept as written.
    static func strippingTags(_ text: String) -> String {
        var current = text
        while true {
            var out = ""
            var index = current.startIndex
            var changed = false
            while index < current.endIndex {
                if current[index] == "<", let close = current[current.index(after: index)...].firstIndex(of: ">"),
                   current.index(after: index) < current.endIndex, !current[current.index(after: index)].isWhitespace {
                    index = current.index(after: close)
                    changed = true
                } else {
                    out.append(current[index])
                    index = current.index(after: index)
                }
            }
            if !changed { return out }
            current = out
        }
    }

    /// A list of dictionaries sorted by the value at `path` (dotted), like Django's `dictsort`; anything
    /// else, or values that do not compare, gives an empty string.
    static func sortedByKey(_ value: TemplateValue, _ path: String, descending: Bool) -> TemplateValue {
        guard case .array(let items) = value else { return .string("") }
        let keys = path.split(separator: ".").map(String.init)
        let keyed = items.map { ($0, $0.member(path: keys) ?? .null) }
        func less(_ a: TemplateValue, _ b: TemplateValue) -> Bool? {
            switch (a, b) {
            case (.string(let x), .string(let y)), (.safeString(let x), .string(let y)), (.string(let x), .safeString(let y)),
                 (.safeString(let x), .safeString(let y)):
                return x < y
            default:
                guard let x = a.number, let y = b.number, !(a.isText || b.isText) else { return nil }
                return x < y
            }
        }
        var failed = false
        let sorted = keyed.sorted { lhs, rhs in
            guard let result = descending ? less(rhs.1, lhs.1) : less(lhs.1, rhs.1) else { failed = true; return false }
            return result
        }
        return failed ? .string("") : .array(sorted.map(\.0))
    }

    /// Django's `unordered_list`: `<li>` items, a nested list following an item becoming its `<ul>`.
    static func unorderedList(_ value: TemplateValue, escape: Bool, tabs: Int) -> String {
        guard case .array(let items) = value else { return "" }
        let indent = String(repeating: "\t", count: tabs)
        var output: [String] = []
        var index = 0
        while index < items.count {
            let item = items[index]
            var sublist = ""
            if index + 1 < items.count, case .array(let children) = items[index + 1], !children.isEmpty {
                sublist = "\n\(indent)<ul>\n" + unorderedList(items[index + 1], escape: escape, tabs: tabs + 1) + "\n\(indent)</ul>\n\(indent)"
                index += 1
            }
            let text = escape && !item.isSafe ? HTMLEscaping.escape(item.text) : item.text
            output.append("\(indent)<li>\(text)\(sublist)</li>")
            index += 1
        }
        return output.joined(separator: "\n")
    }
}

extension TemplateValue {
    /// Text (a string), as opposed to a number.
    var isText: Bool {
        switch self {
        case .string, .safeString: true
        default: false
        }
    }

    /// An integer, or text that is one (`get_digit` leaves anything else alone).
    var isIntegerLike: Bool {
        switch self {
        case .int: true
        case .string(let text), .safeString(let text): Int(text) != nil
        default: false
        }
    }
}
