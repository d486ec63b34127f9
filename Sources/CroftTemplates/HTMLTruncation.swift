import Foundation

/// `truncatechars_html` and `truncatewords_html`: truncating HTML without breaking it, as Django 5.2's
/// `Truncator` does with Python's `HTMLParser`.
///
/// The markup is read as Django reads it: tags are copied as written, end tags are written `</name>`,
/// comments, declarations and processing instructions are dropped, text is decoded and escaped again,
/// and when the limit is reached every element still open is closed, innermost first. Markup cut off at
/// the end (`a <b`) is dropped, as Django drops it.
enum HTMLTruncation {
    /// What is counted: characters, or words.
    enum Unit {
        case characters, words
    }

    /// `text` truncated to `limit` characters or words, with `…` (characters) or ` …` (words) added
    /// where it was cut.
    static func truncate(_ text: String, limit: Int, unit: Unit) -> String {
        guard limit > 0 else { return "" }
        var truncator = Truncator(text: unit == .characters ? text.precomposedStringWithCanonicalMapping : text,
                                  limit: limit, unit: unit)
        truncator.run()
        return truncator.output
    }

    /// Elements that have no end tag.
    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
        "track", "wbr", "frame", "spacer",
    ]

    private struct Truncator {
        let scalars: [Unicode.Scalar]
        let unit: Unit
        let limit: Int
        /// Characters in the whole input, for Django's "the text was exactly the limit" case.
        let inputCount: Int
        var remaining: Int
        var processedCharacters = 0
        var output = ""
        var outputCount = 0
        var openTags: [String] = []
        var finished = false

        init(text: String, limit: Int, unit: Unit) {
            self.scalars = Array(text.unicodeScalars)
            self.unit = unit
            self.limit = limit
            self.inputCount = text.count
            // Room for the ellipsis: `…` takes one of the characters; ` …` costs no word.
            self.remaining = unit == .characters ? limit - 1 : limit
        }

        mutating func run() {
            var index = 0
            var rawText: String?  // inside <script> or <style>: text up to the matching end tag
            while index < scalars.count, !finished {
                if let element = rawText {
                    let end = find("</" + element, from: index, caseInsensitive: true) ?? scalars.count
                    if end > index { data(slice(index, end)) }
                    if end == scalars.count { break }
                    rawText = nil
                    index = end
                    continue
                }
                guard scalars[index] == "<" else {
                    var end = index
                    while end < scalars.count, scalars[end] != "<" { end += 1 }
                    if end == scalars.count, cutReference(from: index) { break }
                    data(HTMLEntities.unescape(slice(index, end)))
                    index = end
                    continue
                }
                guard index + 1 < scalars.count else { break }  // a lone "<" at the end: dropped
                let next = scalars[index + 1]
                if next.isASCII, next.properties.isAlphabetic {
                    guard let (end, name, selfClosing) = startTag(at: index) else { break }
                    output(slice(index, end))
                    if !HTMLTruncation.voidElements.contains(name) {
                        openTags.append(name)
                        if selfClosing { endTag(name) }
                    }
                    if !selfClosing, name == "script" || name == "style" { rawText = name }
                    index = end
                } else if next == "/" {
                    guard let close = find(">", from: index + 2) else { break }
                    var nameStart = index + 2
                    while nameStart < close, scalars[nameStart].properties.isWhitespace { nameStart += 1 }
                    var nameEnd = nameStart
                    if nameEnd < close, scalars[nameEnd].isASCII, scalars[nameEnd].properties.isAlphabetic {
                        while nameEnd < close, !" \t\n\r\u{0C}/>\0".unicodeScalars.contains(scalars[nameEnd]) { nameEnd += 1 }
                    }
                    if nameEnd > nameStart { endTag(slice(nameStart, nameEnd).lowercased()) }
                    index = close + 1
                } else if next == "!" || next == "?" {
                    let isComment = index + 3 < scalars.count && scalars[index + 2] == "-" && scalars[index + 3] == "-"
                    guard let end = isComment ? commentEnd(from: index + 4) : find(">", from: index + 2).map({ $0 + 1 }) else { break }
                    index = end
                } else {
                    data("<")
                    index += 1
                }
            }
            if finished {
                for tag in openTags.reversed() { output("</\(tag)>") }
            }
        }

        /// Django's parser holds back text whose last 34 characters have an `&` followed by neither a
        /// space nor `;` (a reference that may be cut in two), and then drops it.
        private func cutReference(from start: Int) -> Bool {
            let windowStart = max(start, scalars.count - 34)
            guard let ampersand = (windowStart..<scalars.count).last(where: { scalars[$0] == "&" }) else { return false }
            return !scalars[ampersand...].contains { $0 == ";" || $0.properties.isWhitespace }
        }

        private mutating func endTag(_ name: String) {
            guard !HTMLTruncation.voidElements.contains(name) else { return }
            output("</\(name)>")
            if openTags.last == name { openTags.removeLast() }
        }

        private mutating func data(_ text: String) {
            switch unit {
            case .characters:
                let count = text.count
                processedCharacters += count
                if processedCharacters == limit, outputCount + count == inputCount {
                    output(text)
                    finished = true
                    return
                }
                let kept = HTMLEscaping.escape(String(text.prefix(max(remaining, 0))))
                if remaining < count {
                    output(kept + "…")
                    finished = true
                    return
                }
                remaining -= count
                output(kept)
            case .words:
                let words = splitWords(text)
                let kept = HTMLEscaping.escape(words.prefix(max(remaining, 0)).joined(separator: " "))
                if remaining < words.count {
                    output(kept.hasSuffix(" …") ? kept : kept + " …")
                    finished = true
                    return
                }
                remaining -= words.count
                output(kept)
            }
        }

        /// Python's `re.split(r"(?<=\S)\s+(?=\S)", text)`: splits at runs of white space between two
        /// other characters, so white space at either end stays on the first or last word.
        private func splitWords(_ text: String) -> [String] {
            let characters = Array(text.unicodeScalars)
            var words: [String] = []
            var start = 0
            var index = 0
            while index < characters.count {
                guard characters[index].properties.isWhitespace, index > 0, !characters[index - 1].properties.isWhitespace else {
                    index += 1
                    continue
                }
                var end = index
                while end < characters.count, characters[end].properties.isWhitespace { end += 1 }
                if end < characters.count {
                    words.append(String(String.UnicodeScalarView(characters[start..<index])))
                    start = end
                }
                index = end
            }
            words.append(String(String.UnicodeScalarView(characters[start...])))
            return words
        }

        private mutating func output(_ text: String) {
            output += text
            outputCount += text.count
        }

        /// The start tag at `start` (a `<` and a letter): the index after its `>`, its lower-case name
        /// and whether it ends with `/>`; nil when the input ends inside it.
        private func startTag(at start: Int) -> (Int, String, Bool)? {
            var index = start + 1
            while index < scalars.count, !" \t\n\r\u{0C}/>\0".unicodeScalars.contains(scalars[index]) { index += 1 }
            let name = slice(start + 1, index).lowercased()
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == ">" {
                    let selfClosing = index > start + 1 && scalars[index - 1] == "/"
                    return (index + 1, name, selfClosing)
                }
                if scalar == "\"" || scalar == "'", index > 0, scalars[index - 1] == "=" || scalars[index - 1].properties.isWhitespace {
                    guard let close = find(String(scalar), from: index + 1) else { return nil }
                    index = close + 1
                    continue
                }
                index += 1
            }
            return nil
        }

        /// The index after a comment's `--`, white space and `>`.
        private func commentEnd(from start: Int) -> Int? {
            var index = start
            while let dashes = find("--", from: index) {
                var end = dashes + 2
                while end < scalars.count, scalars[end].properties.isWhitespace { end += 1 }
                if end < scalars.count, scalars[end] == ">" { return end + 1 }
                index = dashes + 1
            }
            return nil
        }

        private func find(_ needle: String, from start: Int, caseInsensitive: Bool = false) -> Int? {
            let pattern = Array((caseInsensitive ? needle.lowercased() : needle).unicodeScalars)
            guard !pattern.isEmpty, start + pattern.count <= scalars.count else { return nil }
            outer: for index in start...(scalars.count - pattern.count) {
                for offset in pattern.indices {
                    var scalar = scalars[index + offset]
                    if caseInsensitive, scalar.isASCII, scalar.properties.isUppercase {
                        scalar = Unicode.Scalar(scalar.value + 32)!
                    }
                    if scalar != pattern[offset] { continue outer }
                }
                return index
            }
            return nil
        }

        private func slice(_ start: Int, _ end: Int) -> String {
            String(String.UnicodeScalarView(scalars[start..<end]))
        }
    }
}
