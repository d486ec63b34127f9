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

    /// `{% cycle a b c %}` (optionally `as name`, `silent`): the next value each time it renders.
    struct Cycle: Sendable {
        var id: Int
        var values: [FilterExpression]
        var variable: String?
        var silent: Bool
        var location: SourceLocation
    }

    /// `{% ifchanged [values] %}...{% else %}...{% endifchanged %}`.
    struct IfChanged: Sendable {
        var id: Int
        var values: [FilterExpression]
        var body: [Node]
        var otherwise: [Node]
        var location: SourceLocation
    }

    /// `{% regroup list by key as name %}`.
    struct Regroup: Sendable {
        var list: FilterExpression
        var key: [String]
        var variable: String
        var location: SourceLocation
    }

    /// `{% querystring [query] name=value ... [as variable] %}`.
    struct QueryString: Sendable {
        /// The query to change; the request's when nil.
        var source: FilterExpression?
        /// The names to set (a list sets several values, `None` removes the name), in order.
        var changes: [(String, FilterExpression)]
        var variable: String?
        var location: SourceLocation
    }

    /// Literal text.
    case text(String)
    /// `{% spaceless %}`: whitespace between tags removed.
    case spaceless([Node])
    /// `{% firstof a b "fallback" as name %}`: the first true value, escaped.
    case firstOf([FilterExpression], String?, SourceLocation)
    /// `{% widthratio value max width as name %}`.
    case widthRatio(FilterExpression, FilterExpression, FilterExpression, String?, SourceLocation)
    /// `{% filter f|g %}...{% endfilter %}`: the rendered body through the filters (`body` is the variable).
    case filterBlock(FilterExpression, [Node], SourceLocation)
    /// `{% cycle %}`.
    case cycle(Cycle)
    /// `{% cycle name %}`: advances the cycle named `as name`.
    case cycleReference(String, SourceLocation)
    /// `{% resetcycle [name] %}`.
    case resetCycle(String?, SourceLocation)
    /// `{% ifchanged %}`.
    case ifChanged(IfChanged)
    /// `{% now "format" [as name] %}`.
    case now(String, String?)
    /// `{% regroup %}`.
    case regroup(Regroup)
    /// `{% lorem [count] [w|p|b] [random] %}`.
    case lorem(count: FilterExpression?, method: String, random: Bool, SourceLocation)
    /// `{% debug %}`: the context, when the `debug` global is true.
    case debug
    /// `{% querystring %}`.
    case queryString(QueryString)
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
