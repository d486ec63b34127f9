import Foundation

/// A filter as the renderer calls it: value, optional argument, and the render settings.
struct TemplateFilter: Sendable {
    /// Whether the filter takes an argument; checked at parse time.
    enum Argument: Sendable {
        case none, optional, required
    }

    /// What the filter expects after `:`.
    var argument: Argument
    /// Applies the filter.
    var apply: @Sendable (TemplateValue, TemplateValue?, FilterContext) throws -> TemplateValue

    init(
        _ argument: Argument,
        _ apply: @escaping @Sendable (TemplateValue, TemplateValue?, FilterContext) throws -> TemplateValue
    ) {
        self.argument = argument
        self.apply = apply
    }
}

/// The render settings a built-in filter may depend on.
struct FilterContext: Sendable {
    /// Whether output is being HTML-escaped (filters such as `join` escape their pieces).
    var autoescape: Bool
    /// The environment, whose calendar (made on first use) the `date` filter formats with.
    let environment: TemplateEnvironment

    /// The calendar, in the environment's time zone, for `date`.
    var calendar: Calendar { environment.calendar }
}
