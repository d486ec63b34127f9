import Foundation

extension TemplateValue {
    /// Looks one path segment up: a dictionary key, an array index, or one of the dictionary
    /// views `items`, `keys` and `values` (sorted by key). Returns nil when undefined.
    func member(_ segment: PathSegment) -> TemplateValue? {
        switch self {
        case .dictionary(let entries):
            if let value = entries[segment.name] { return value }
            switch segment.name {
            case "items":
                return .array(entries.sorted { $0.key < $1.key }.map { .array([.string($0.key), $0.value]) })
            case "keys": return .array(entries.keys.sorted().map { .string($0) })
            case "values": return .array(entries.sorted { $0.key < $1.key }.map(\.value))
            default: return nil
            }
        case .array(let items):
            if let index = segment.index { return items.indices.contains(index) ? items[index] : nil }
            switch segment.name {
            case "count", "length": return .int(items.count)
            default: return nil
            }
        case .string(let text), .safeString(let text):
            guard let index = segment.index, index >= 0, index < text.count else { return nil }
            return .string(String(text[text.index(text.startIndex, offsetBy: index)]))
        default:
            return nil
        }
    }

    /// Equality as `{% if a == b %}` sees it: numbers compare across `int` and `double`,
    /// safe and plain strings compare by their text.
    func looselyEquals(_ other: TemplateValue) -> Bool {
        switch (self, other) {
        case (.int(let left), .int(let right)): return left == right
        case (.int, .double), (.double, .int), (.double, .double):
            return number == other.number
        case (.string(let left), .string(let right)), (.safeString(let left), .safeString(let right)),
             (.string(let left), .safeString(let right)), (.safeString(let left), .string(let right)):
            return left == right
        default:
            return self == other
        }
    }

    /// Ordering for `<`, `>`, `<=`, `>=`: numbers, strings and dates; nil when not comparable.
    func compare(to other: TemplateValue) -> ComparisonResult? {
        switch (self, other) {
        case (.int(let left), .int(let right)):
            return left < right ? .orderedAscending : left > right ? .orderedDescending : .orderedSame
        case (.int, .double), (.double, .int), (.double, .double):
            guard let left = number, let right = other.number, !left.isNaN, !right.isNaN else { return nil }
            return left < right ? .orderedAscending : left > right ? .orderedDescending : .orderedSame
        case (.string(let left), .string(let right)), (.safeString(let left), .safeString(let right)),
             (.string(let left), .safeString(let right)), (.safeString(let left), .string(let right)):
            return left < right ? .orderedAscending : left > right ? .orderedDescending : .orderedSame
        case (.date(let left), .date(let right)):
            return left.compare(right)
        default:
            return nil
        }
    }

    /// Membership for `{% if x in y %}`: substring, array element or dictionary key.
    func contains(_ element: TemplateValue) -> Bool {
        switch self {
        case .string(let text), .safeString(let text):
            switch element {
            case .string(let part), .safeString(let part): return text.contains(part)
            default: return false
            }
        case .array(let items):
            return items.contains { $0.looselyEquals(element) }
        case .dictionary(let entries):
            return entries[element.text] != nil
        default:
            return false
        }
    }
}
