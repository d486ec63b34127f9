import Foundation

extension Renderer {
    /// Looks a variable path up through the scopes (innermost first); nil when undefined.
    func lookup(_ path: VariablePath) -> TemplateValue? {
        let root = path.segments[0].name
        if !loops.isEmpty, root == "forloop" { return lookupLoop(path) }
        var scopeIndex = scopes.count - 1
        var found: TemplateValue?
        while scopeIndex >= 0 {
            if let value = scopes[scopeIndex][root] {
                found = value
                break
            }
            scopeIndex -= 1
        }
        guard var value = found else { return nil }
        var segmentIndex = 1
        while segmentIndex < path.segments.count {
            guard let next = value.member(path.segments[segmentIndex]) else { return nil }
            value = next
            segmentIndex += 1
        }
        return value
    }

    /// Resolves `forloop.counter`, `forloop.parentloop.first` and so on.
    private func lookupLoop(_ path: VariablePath) -> TemplateValue? {
        var depth = loops.count - 1
        var segmentIndex = 1
        while segmentIndex < path.segments.count, path.segments[segmentIndex].name == "parentloop" {
            depth -= 1
            segmentIndex += 1
            if depth < 0 { return nil }
        }
        guard segmentIndex < path.segments.count else { return .dictionary(loops[depth].dictionary) }
        guard var value = loops[depth].member(path.segments[segmentIndex].name) else { return nil }
        for segment in path.segments[(segmentIndex + 1)...] {
            guard let next = value.member(segment) else { return nil }
            value = next
        }
        return value
    }

    /// The value of an operand; undefined variables are `.null`.
    func value(of operand: Operand) -> TemplateValue {
        switch operand {
        case .literal(let value): value
        case .variable(let path): lookup(path) ?? .null
        }
    }

    /// Evaluates an expression, applying its filters; a failing filter is reported at `location`.
    func evaluate(_ expression: FilterExpression, at location: SourceLocation) throws -> TemplateValue {
        guard !expression.filters.isEmpty else { return value(of: expression.operand) }
        // As in Django, a filter given an undefined variable receives an empty string (its
        // string_if_invalid), not a null: `missing|default_if_none:"x"` prints nothing, `missing|yesno` "no".
        var result: TemplateValue
        if case .variable(let path) = expression.operand { result = lookup(path) ?? .string("") } else { result = value(of: expression.operand) }
        var context = filterContext
        context.autoescape = autoescape
        for application in expression.filters {
            let argument = application.argument.map(value(of:))
            do {
                result = try application.filter.apply(result, argument, context)
            } catch let error as TemplateError {
                throw error
            } catch {
                throw TemplateError(.render, currentTemplate, location,
                                    "filter '\(application.name)' failed in '\(expression.text)': \(error)")
            }
        }
        return result
    }

    /// Evaluates an `if` condition.
    func test(_ condition: Condition, at location: SourceLocation) throws -> Bool {
        switch condition {
        case .value(let expression):
            return try evaluate(expression, at: location).isTruthy
        case .not(let inner):
            return try !test(inner, at: location)
        case .and(let left, let right):
            guard try test(left, at: location) else { return false }
            return try test(right, at: location)
        case .or(let left, let right):
            if try test(left, at: location) { return true }
            return try test(right, at: location)
        case .compare(let comparison, let leftExpression, let rightExpression):
            let left = try evaluate(leftExpression, at: location)
            let right = try evaluate(rightExpression, at: location)
            switch comparison {
            case .equal: return left.looselyEquals(right)
            case .notEqual: return !left.looselyEquals(right)
            case .less: return left.compare(to: right) == .orderedAscending
            case .greater: return left.compare(to: right) == .orderedDescending
            case .lessOrEqual:
                let order = left.compare(to: right)
                return order == .orderedAscending || order == .orderedSame
            case .greaterOrEqual:
                let order = left.compare(to: right)
                return order == .orderedDescending || order == .orderedSame
            case .isIn: return right.contains(left)
            case .notIn: return !right.contains(left)
            case .isSame: return left.isSame(as: right)
            case .isNotSame: return !left.isSame(as: right)
            }
        }
    }

    /// Appends a value: safe strings as is, everything else escaped while autoescaping is on.
    func write(_ value: TemplateValue, to output: inout String) {
        switch value {
        case .safeString(let text):
            output.append(text)
        case .string(let text):
            if autoescape { HTMLEscaping.append(text, to: &output) } else { output.append(text) }
        case .null:
            break
        case .int(let number):
            output.append(String(number))
        default:
            if autoescape { HTMLEscaping.append(value.text, to: &output) } else { output.append(value.text) }
        }
    }
}
