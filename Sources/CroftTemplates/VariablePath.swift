/// A dotted variable reference such as `user.name` or `items.0`, split once at parse time.
struct VariablePath: Sendable {
    /// The segments; never empty.
    var segments: [PathSegment]
    /// The path as written, for messages.
    var text: String

    /// The first segment's name: the context variable the path starts from.
    var root: String { segments[0].name }
}
