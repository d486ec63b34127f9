/// The test of an `{% if %}` or `{% elif %}`, parsed once with Django's precedence:
/// `or` binds loosest, then `and`, then `not`, then the comparisons.
indirect enum Condition: Sendable {
    /// The comparison operators.
    enum Comparison: String, Sendable {
        case equal = "==", notEqual = "!=", less = "<", greater = ">"
        case lessOrEqual = "<=", greaterOrEqual = ">="
        case isIn = "in", notIn = "not in"
        /// Python's identity test, for `None`, `True` and `False`: `x is None`, `x is not None`.
        case isSame = "is", isNotSame = "is not"
    }

    /// A value tested for truth.
    case value(FilterExpression)
    /// `not x`.
    case not(Condition)
    /// `a and b`.
    case and(Condition, Condition)
    /// `a or b`.
    case or(Condition, Condition)
    /// `a == b`, `a in b`, ...
    case compare(Comparison, FilterExpression, FilterExpression)
}
