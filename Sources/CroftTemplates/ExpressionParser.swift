/// Parses the expressions inside tags: operands, `a|filter:arg` chains and tag argument lists.
///
/// Errors name the template, the location of the tag and the offending text.
struct ExpressionParser {
    /// The filters available.
    let library: TagLibrary
    /// The template being parsed, for errors.
    let template: String
    /// The tag being parsed, for errors.
    let location: SourceLocation

    /// Parses `value|filter:arg|filter`.
    func filterExpression(_ text: String) throws -> FilterExpression {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        let operand = try self.operand(scalars, &index, in: text)
        var filters: [FilterExpression.Application] = []
        while true {
            skipSpaces(scalars, &index)
            guard index < scalars.count else { break }
            guard scalars[index] == "|" else {
                let rest = String(String.UnicodeScalarView(scalars[index...]))
                throw syntax("unexpected '\(rest)' in '\(text)'")
            }
            index += 1
            skipSpaces(scalars, &index)
            let start = index
            while index < scalars.count, isNameScalar(scalars[index]) { index += 1 }
            let name = String(String.UnicodeScalarView(scalars[start..<index]))
            guard !name.isEmpty else { throw syntax("missing filter name after '|' in '\(text)'") }
            guard let filter = library.filters[name] else {
                throw TemplateError(.unknownFilter, template, location,
                                    "unknown filter '\(name)' in '\(text)'" + Suggestion.hint(for: name, in: library.filters.keys))
            }
            var argument: Operand?
            if index < scalars.count, scalars[index] == ":" {
                index += 1
                argument = try self.operand(scalars, &index, in: text)
            }
            switch (filter.argument, argument) {
            case (.required, nil): throw syntax("filter '\(name)' requires an argument in '\(text)'")
            case (.none, .some): throw syntax("filter '\(name)' takes no argument in '\(text)'")
            default: break
            }
            filters.append(.init(name: name, filter: filter, argument: argument))
        }
        return FilterExpression(operand: operand, filters: filters, text: text)
    }

    /// Parses one operand (a quoted string or a word) starting at `index`.
    private func operand(_ scalars: [Unicode.Scalar], _ index: inout Int, in text: String) throws -> Operand {
        skipSpaces(scalars, &index)
        guard index < scalars.count else { throw syntax("expected a value in '\(text)'") }
        let quote = scalars[index]
        if quote == "\"" || quote == "'" {
            var value = String.UnicodeScalarView()
            index += 1
            while index < scalars.count, scalars[index] != quote {
                if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                value.append(scalars[index])
                index += 1
            }
            guard index < scalars.count else { throw syntax("unterminated string in '\(text)'") }
            index += 1
            return .literal(.safeString(String(value)))
        }
        let start = index
        while index < scalars.count, scalars[index] != "|", scalars[index] != ":",
              !scalars[index].properties.isWhitespace {
            index += 1
        }
        return try word(String(String.UnicodeScalarView(scalars[start..<index])), in: text)
    }

    /// Classifies a bare word: number, `True`/`False`/`None`, or a dotted variable path.
    func word(_ word: String, in text: String) throws -> Operand {
        switch word {
        case "": throw syntax("expected a value in '\(text)'")
        case "True": return .literal(.bool(true))
        case "False": return .literal(.bool(false))
        case "None": return .literal(.null)
        default: break
        }
        let scalars = word.unicodeScalars
        let first = scalars.first!
        let second = scalars.dropFirst().first
        if first.properties.numericType != nil && first.isASCII
            || (first == "-" || first == "+") && second.map({ $0.isASCII && $0.properties.numericType != nil }) == true {
            if let integer = Int(word) { return .literal(.int(integer)) }
            if let number = Double(word), number.isFinite { return .literal(.double(number)) }
            throw syntax("invalid number '\(word)' in '\(text)'")
        }
        let parts = word.split(separator: ".", omittingEmptySubsequences: false)
        for part in parts where part.isEmpty || !part.unicodeScalars.allSatisfy(isNameScalar) {
            throw syntax("invalid variable name '\(word)' in '\(text)'")
        }
        return .variable(VariablePath(segments: parts.map { PathSegment(String($0)) }, text: word))
    }

    /// Splits tag contents into words on whitespace, keeping quoted strings (and words that
    /// contain them, such as `x|default:"a b"`) whole.
    static func splitWords(_ contents: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        var quote: Unicode.Scalar?
        var escaped = false
        for scalar in contents.unicodeScalars {
            if let open = quote {
                current.append(scalar)
                if escaped { escaped = false } else if scalar == "\\" { escaped = true } else if scalar == open { quote = nil }
            } else if scalar.properties.isWhitespace {
                if !current.isEmpty { words.append(String(current)); current = .init() }
            } else {
                if scalar == "\"" || scalar == "'" { quote = scalar }
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words
    }

    /// Splits `name=value` (outside quotes); nil when the word is not an assignment.
    static func splitAssignment(_ word: String) -> (name: String, value: String)? {
        guard let equals = word.firstIndex(of: "=") else { return nil }
        if let quote = word.firstIndex(where: { $0 == "\"" || $0 == "'" }), quote < equals { return nil }
        let name = String(word[..<equals])
        let value = String(word[word.index(after: equals)...])
        guard isIdentifier(name), !value.isEmpty else { return nil }
        return (name, value)
    }

    /// Whether `name` can be a variable name bound by a tag (`for`, `with`, `as`).
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !(first.isASCII && first.properties.numericType != nil) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || $0.properties.numericType != nil }
    }

    /// A syntax error at this tag.
    func syntax(_ message: String) -> TemplateError {
        TemplateError(.syntax, template, location, message)
    }

    private func skipSpaces(_ scalars: [Unicode.Scalar], _ index: inout Int) {
        while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
    }

    private func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
