/// A value with filters applied in order: `note.body|truncatechars:80|upper`, parsed once.
struct FilterExpression: Sendable {
    /// One `|name:argument` step, with its filter already resolved from the library.
    struct Application: Sendable {
        /// The filter's name, for messages.
        var name: String
        /// The filter itself.
        var filter: TemplateFilter
        /// The argument after `:`, if any.
        var argument: Operand?
    }

    /// The starting value.
    var operand: Operand
    /// The filters to apply, left to right.
    var filters: [Application]
    /// The expression as written, for messages.
    var text: String
}
