import Foundation

/// Cuts template source into text, `{{ variable }}` and `{% block %}` tokens.
///
/// Works on UTF-8 bytes; every delimiter is ASCII, so slicing never splits a character. Comments
/// `{# ... #}` are dropped here. The inside of `{% verbatim %}...{% endverbatim %}` is kept as a
/// single text token. Columns are counted in characters (UTF-8 lead bytes), 1-based.
struct Lexer {
    private let source: String
    private let bytes: [UInt8]
    private let templateName: String
    private var position = 0
    private var line = 1
    private var column = 1

    /// Prepares to cut `source`, naming `templateName` in any error.
    init(source: String, templateName: String) {
        self.source = source
        self.bytes = Array(source.utf8)
        self.templateName = templateName
    }

    /// Returns every token of the source in order.
    mutating func tokenize() throws(TemplateError) -> [Token] {
        var tokens: [Token] = []
        var textStart = 0
        var textLocation = location(at: 0)
        var index = 0
        let count = bytes.count
        while index + 1 < count {
            guard bytes[index] == UInt8(ascii: "{") else { index += 1; continue }
            let opener = bytes[index + 1]
            let closer: UInt8
            switch opener {
            case UInt8(ascii: "{"): closer = UInt8(ascii: "}")
            case UInt8(ascii: "%"): closer = UInt8(ascii: "%")
            case UInt8(ascii: "#"): closer = UInt8(ascii: "#")
            default: index += 1; continue
            }
            if textStart < index {
                tokens.append(Token(kind: .text, contents: text(textStart, index), location: textLocation))
            }
            let tagLocation = location(at: index)
            guard let end = find(closer, UInt8(ascii: "}"), from: index + 2) else {
                let what = String(decoding: bytes[index..<min(count, index + 30)], as: UTF8.self)
                throw TemplateError(.syntax, templateName, tagLocation,
                                    "unclosed tag '\(what)': missing '\(Character(Unicode.Scalar(closer)))}'")
            }
            let inner = text(index + 2, end).trimmingCharacters(in: .whitespacesAndNewlines)
            index = end + 2
            switch opener {
            case UInt8(ascii: "{"):
                guard !inner.isEmpty else {
                    throw TemplateError(.syntax, templateName, tagLocation, "empty variable tag '{{ }}'")
                }
                tokens.append(Token(kind: .variable, contents: inner, location: tagLocation))
            case UInt8(ascii: "%"):
                guard !inner.isEmpty else {
                    throw TemplateError(.syntax, templateName, tagLocation, "empty block tag '{% %}'")
                }
                let token = Token(kind: .block, contents: inner, location: tagLocation)
                tokens.append(token)
                if token.tagName == "verbatim" {
                    index = try verbatim(from: index, opener: token, into: &tokens)
                }
            default:
                break
            }
            textStart = index
            textLocation = location(at: index)
        }
        if textStart < count {
            tokens.append(Token(kind: .text, contents: text(textStart, count), location: textLocation))
        }
        return tokens
    }

    /// Emits everything up to the matching `{% endverbatim %}` as text; returns the index after it.
    private mutating func verbatim(from start: Int, opener: Token, into tokens: inout [Token]) throws(TemplateError) -> Int {
        let expected = "end" + opener.contents
        var index = start
        while let open = find(UInt8(ascii: "{"), UInt8(ascii: "%"), from: index) {
            guard let close = find(UInt8(ascii: "%"), UInt8(ascii: "}"), from: open + 2) else { break }
            let inner = text(open + 2, close).trimmingCharacters(in: .whitespacesAndNewlines)
            if inner == expected {
                if start < open {
                    tokens.append(Token(kind: .text, contents: text(start, open), location: location(at: start)))
                }
                tokens.append(Token(kind: .block, contents: inner, location: location(at: open)))
                return close + 2
            }
            index = open + 2
        }
        throw TemplateError(.unclosedTag, templateName, opener.location,
                            "unclosed tag '\(opener.display)': expected '{% \(expected) %}'")
    }

    /// The index of the first `first` immediately followed by `second`, at or after `start`.
    private func find(_ first: UInt8, _ second: UInt8, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == first && bytes[index + 1] == second { return index }
            index += 1
        }
        return nil
    }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The line and column of byte `index`; indices must be asked for in increasing order.
    private mutating func location(at index: Int) -> SourceLocation {
        while position < index {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            position += 1
        }
        return SourceLocation(line: line, column: column)
    }
}
