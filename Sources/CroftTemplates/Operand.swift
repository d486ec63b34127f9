/// A value in an expression: a literal written in the template, or a variable to look up.
enum Operand: Sendable {
    /// A string (marked safe, like Django), number, `True`, `False` or `None`.
    case literal(TemplateValue)
    /// A dotted context variable.
    case variable(VariablePath)
}
