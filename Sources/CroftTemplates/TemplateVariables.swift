/// Read access to the render context for custom tags.
///
/// ```swift
/// env.registerSimpleTag("greeting") { _, context in .string("Hello, \(context["user.name"].text)") }
/// ```
public struct TemplateVariables: Sendable {
    let scopes: [[String: TemplateValue]]

    /// The value of a variable or dotted path (`"user.name"`), `.null` when undefined.
    public subscript(path: String) -> TemplateValue {
        let segments = path.split(separator: ".").map { PathSegment(String($0)) }
        guard let first = segments.first else { return .null }
        guard var value = scopes.reversed().lazy.compactMap({ $0[first.name] }).first else { return .null }
        for segment in segments.dropFirst() {
            guard let next = value.member(segment) else { return .null }
            value = next
        }
        return value
    }
}
