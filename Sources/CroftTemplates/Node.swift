/// One element of a parsed template; rendering walks an array of these.
indirect enum Node: Sendable {
    /// One `if`/`elif`/`else` branch: the test (nil for `else`) and its body.
    struct Branch: Sendable {
        var condition: Condition?
        var body: [Node]
        var location: SourceLocation
    }

    /// `{% for a, b in xs reversed %}...{% empty %}...{% endfor %}`.
    struct Loop: Sendable {
        var variables: [String]
        var sequence: FilterExpression
        var reversed: Bool
        var body: [Node]
        var empty: [Node]
        var location: SourceLocation
    }

    /// `{% block name %}...{% endblock %}`; remembers its template for error messages.
    struct Block: Sendable {
        var name: String
        var body: [Node]
        var usesSuper: Bool
        var template: String
    }

    /// `{% include "x.html" with a=b only %}`.
    struct Include: Sendable {
        var template: FilterExpression
        var bindings: [(String, FilterExpression)]
        var only: Bool
        var location: SourceLocation
    }

    /// `{% url "name" arg as variable %}`.
    struct URL: Sendable {
        var name: FilterExpression
        var arguments: [FilterExpression]
        var variable: String?
        var location: SourceLocation
    }

    /// A registered simple or block tag with its argument expressions.
    struct CustomTag: Sendable {
        var name: String
        var arguments: [FilterExpression]
        var body: [Node]
        var location: SourceLocation
    }

    /// Literal text.
    case text(String)
    /// `{{ expression }}`.
    case output(FilterExpression, SourceLocation)
    /// `{% if %}` with its branches in order.
    case conditional([Branch])
    /// `{% for %}`.
    case loop(Loop)
    /// `{% block %}`.
    case block(Block)
    /// `{% include %}`.
    case include(Include)
    /// `{% with a=b %}...{% endwith %}`.
    case with([(String, FilterExpression)], [Node], SourceLocation)
    /// `{% autoescape on|off %}...{% endautoescape %}`.
    case autoescape(Bool, [Node])
    /// `{% url %}`.
    case url(URL)
    /// `{% static "path" %}`, optionally `as variable`.
    case staticAsset(FilterExpression, String?, SourceLocation)
    /// `{% csrf_token %}`.
    case csrfToken
    /// A custom simple tag.
    case simpleTag(SimpleTagFunction, CustomTag)
    /// A custom block tag.
    case blockTag(BlockTagFunction, CustomTag)
}
