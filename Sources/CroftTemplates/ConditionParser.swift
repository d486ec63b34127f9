/// Parses the words after `if`/`elif` into a ``Condition`` by recursive descent.
struct ConditionParser {
    private let words: [String]
    private var index = 0
    private let expressions: ExpressionParser
    private let text: String

    /// Prepares to parse `words` (the tag contents after the tag name).
    init(words: [String], expressions: ExpressionParser) {
        self.words = words
        self.expressions = expressions
        self.text = words.joined(separator: " ")
    }

    /// Parses the whole condition; every word must be used.
    mutating func parse() throws -> Condition {
        guard !words.isEmpty else { throw expressions.syntax("'if' needs a condition") }
        let condition = try parseOr()
        if index < words.count {
            throw expressions.syntax("unexpected '\(words[index])' in condition '\(text)'")
        }
        return condition
    }

    private mutating func parseOr() throws -> Condition {
        var left = try parseAnd()
        while peek == "or" {
            index += 1
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws -> Condition {
        var left = try parseNot()
        while peek == "and" {
            index += 1
            left = .and(left, try parseNot())
        }
        return left
    }

    /// `not not x` is `x`: the negations are counted rather than recursed into.
    private mutating func parseNot() throws -> Condition {
        var negations = 0
        while peek == "not" {
            index += 1
            negations += 1
        }
        let condition = try parseComparison()
        return negations % 2 == 1 ? .not(condition) : condition
    }

    private mutating func parseComparison() throws -> Condition {
        let left = try operand()
        guard let word = peek else { return .value(left) }
        var comparison = Condition.Comparison(rawValue: word)
        if word == "not", index + 1 < words.count, words[index + 1] == "in" {
            comparison = .notIn
            index += 1
        } else if word == "is", index + 1 < words.count, words[index + 1] == "not" {
            comparison = .isNotSame
            index += 1
        }
        guard let comparison else { return .value(left) }
        index += 1
        return .compare(comparison, left, try operand())
    }

    private mutating func operand() throws -> FilterExpression {
        guard let word = peek else { throw expressions.syntax("condition '\(text)' ends where a value was expected") }
        if ["and", "or", "not", "in", "is", "==", "!=", "<", ">", "<=", ">="].contains(word) {
            throw expressions.syntax("unexpected '\(word)' in condition '\(text)'")
        }
        index += 1
        return try expressions.filterExpression(word)
    }

    private var peek: String? { index < words.count ? words[index] : nil }
}
