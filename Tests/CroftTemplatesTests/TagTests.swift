import CroftTemplates
import Testing

struct TagTests {
    static let context: [String: TemplateValue] = [
        "a": 1, "b": 2, "name": "Ada", "empty": "", "list": [1, 2, 3], "words": ["x", "y"],
        "user": ["admin": true, "name": "Ada"], "zero": 0, "pi": 3.14,
    ]

    @Test(arguments: [
        ("{% if a %}yes{% endif %}", "yes"),
        ("{% if empty %}yes{% else %}no{% endif %}", "no"),
        ("{% if missing %}yes{% elif b %}elif{% else %}no{% endif %}", "elif"),
        ("{% if zero %}1{% elif empty %}2{% else %}3{% endif %}", "3"),
        ("{% if a == 1 %}t{% endif %}", "t"),
        ("{% if a == 1.0 %}t{% endif %}", "t"),
        ("{% if a != b %}t{% endif %}", "t"),
        ("{% if a < b %}t{% endif %}", "t"),
        ("{% if b > a %}t{% endif %}", "t"),
        ("{% if a <= 1 and b >= 2 %}t{% endif %}", "t"),
        ("{% if pi > 3 %}t{% endif %}", "t"),
        ("{% if name == \"Ada\" %}t{% endif %}", "t"),
        ("{% if 2 in list %}t{% endif %}", "t"),
        ("{% if 5 not in list %}t{% endif %}", "t"),
        ("{% if \"d\" in name %}t{% endif %}", "t"),
        ("{% if \"admin\" in user %}t{% endif %}", "t"),
        ("{% if not empty %}t{% endif %}", "t"),
        ("{% if not a %}t{% else %}f{% endif %}", "f"),
        ("{% if zero or a %}t{% endif %}", "t"),
        ("{% if zero and a %}t{% else %}f{% endif %}", "f"),
        ("{% if a or zero and missing %}t{% endif %}", "t"),
        ("{% if not zero and not empty %}t{% endif %}", "t"),
        ("{% if list|length > 2 %}t{% endif %}", "t"),
        ("{% if user.admin %}t{% endif %}", "t"),
        ("{% if missing == None %}t{% endif %}", "t"),
        ("{% if name < 5 %}t{% else %}f{% endif %}", "f"),
    ])
    func ifEvaluatesConditions(template: String, expected: String) throws {
        #expect(try render(template, Self.context) == expected)
    }

    @Test(arguments: [
        ("{% for x in list %}{{ x }}{% endfor %}", "123"),
        ("{% for x in list reversed %}{{ x }}{% endfor %}", "321"),
        ("{% for x in list %}{{ forloop.counter }}{{ forloop.counter0 }}|{% endfor %}", "10|21|32|"),
        ("{% for x in list %}{% if forloop.first %}F{% endif %}{% if forloop.last %}L{% endif %}{% endfor %}", "FL"),
        ("{% for x in list %}{{ forloop.revcounter }}{% endfor %}", "321"),
        ("{% for x in missing %}{{ x }}{% empty %}none{% endfor %}", "none"),
        ("{% for x in list %}{{ x }}{% empty %}none{% endfor %}", "123"),
        ("{% for w in words %}{% for x in list %}{{ forloop.parentloop.counter }}{% endfor %}{% endfor %}", "111222"),
        ("{% for c in name %}{{ c }}.{% endfor %}", "A.d.a."),
        ("{% for a, b in pairs %}{{ a }}{{ b }};{% endfor %}", "1x;2y;"),
        ("{% for x in list %}{% endfor %}{{ x }}", ""),
    ])
    func forLoops(template: String, expected: String) throws {
        var context = Self.context
        context["pairs"] = [[1, "x"], [2, "y"]]
        #expect(try render(template, context) == expected)
    }

    @Test(arguments: [
        ("{% with total=list|length greeting=\"hi\" %}{{ greeting }} {{ total }}{% endwith %}{{ total }}", "hi 3"),
        ("{% with name|upper as shout %}{{ shout }}{% endwith %}", "ADA"),
        ("a{# a comment {{ x }} #}b", "ab"),
        ("a{% comment %}{% bogus %}{{ x }}{% endcomment %}b", "ab"),
        ("{% verbatim %}{{ raw }} {% if %}{% endverbatim %}", "{{ raw }} {% if %}"),
        ("{% load static %}x", "x"),
    ])
    func withCommentsVerbatim(template: String, expected: String) throws {
        #expect(try render(template, Self.context) == expected)
    }

    @Test func includePassesContextAndHonoursWithAndOnly() throws {
        let templates = ["row.html": "[{{ name }}|{{ extra }}]"]
        #expect(try render("{% include \"row.html\" %}", Self.context, templates: templates) == "[Ada|]")
        #expect(try render("{% include \"row.html\" with extra=a %}", Self.context, templates: templates) == "[Ada|1]")
        #expect(try render("{% include \"row.html\" with extra=a only %}", Self.context, templates: templates) == "[|1]")
        #expect(try render("{% include tpl %}", ["tpl": "row.html", "name": "B"], templates: templates) == "[B|]")
        #expect(try render("{% for x in list %}{% include \"row.html\" with name=x %}{% endfor %}", Self.context,
                           templates: templates) == "[1|][2|][3|]")
    }

    @Test func includeOfMissingTemplateNamesTheIncludingTag() {
        let error = templateError { try render("line1\n  {% include \"nope.html\" %}") }
        #expect(error?.kind == .templateNotFound)
        #expect(error?.template == "test.html")
        #expect(error?.line == 2)
        #expect(error?.column == 3)
        #expect(error?.message.contains("nope.html") == true)
    }

    @Test func autoescapeOffLiftsEscapingOnlyInside() throws {
        let context: [String: TemplateValue] = ["html": "<b>"]
        #expect(try render("{% autoescape off %}{{ html }}{% endautoescape %}{{ html }}", context) == "<b>&lt;b&gt;")
        #expect(try render("{% autoescape off %}{% autoescape on %}{{ html }}{% endautoescape %}{% endautoescape %}",
                           context) == "&lt;b&gt;")
    }

    @Test func urlStaticAndCsrfUseTheFrameworkHooks() throws {
        let environment = TemplateEnvironment(
            loader: DictionaryLoader([:]),
            urlResolver: { name, arguments in
                guard name == "note_detail" else { throw LookupFailure(name: name) }
                return "/notes/" + arguments.map(\.text).joined(separator: "/") + "?a=1&b=2"
            },
            staticURL: { "/static/\($0)?v=abc" })
        let context: [String: TemplateValue] = ["note": ["id": 7], "csrf_token": "tok\"<en"]
        #expect(try environment.render(source: "{% url \"note_detail\" note.id 3 %}", context: context)
            == "/notes/7/3?a=1&amp;b=2")
        #expect(try environment.render(source: "{% url \"note_detail\" 1 as link %}<a href=\"{{ link }}\">", context: context)
            == "<a href=\"/notes/1?a=1&amp;b=2\">")
        #expect(try environment.render(source: "{% static \"css/app.css\" %}") == "/static/css/app.css?v=abc")
        #expect(try environment.render(source: "{% static \"x.js\" as js %}{{ js }}") == "/static/x.js?v=abc")
        #expect(try environment.render(source: "{% csrf_token %}", context: context)
            == "<input type=\"hidden\" name=\"csrf_token\" value=\"tok&quot;&lt;en\">")
        #expect(try environment.render(source: "{% csrf_token %}") == "")
        let error = templateError { try environment.render(source: "\n{% url \"nope\" %}") }
        #expect(error?.kind == .render)
        #expect(error?.line == 2)
        #expect(error?.message.contains("nope") == true)
    }

    @Test func urlWithoutResolverIsAClearError() {
        let error = templateError { try render("{% url \"home\" %}") }
        #expect(error?.message.contains("urlResolver") == true)
    }

    @Test func customFiltersAndTagsAreRegisteredInSwift() throws {
        let environment = TemplateEnvironment(loader: DictionaryLoader([:]))
        environment.registerFilter("shout") { value, arguments in
            .string(value.text.uppercased() + (arguments.first?.text ?? "!"))
        }
        environment.registerSimpleTag("greet") { arguments, context in
            .string("Hello \(arguments.first?.text ?? "") from \(context["site.name"].text) <3")
        }
        environment.registerBlockTag("card") { content, arguments, _ in
            "<div class=\"\(arguments.first?.text ?? "")\">\(content)</div>"
        }
        let context: [String: TemplateValue] = ["name": "ada", "site": ["name": "Croft"]]
        #expect(try environment.render(source: "{{ name|shout }} {{ name|shout:\"?\" }}", context: context) == "ADA! ADA?")
        #expect(try environment.render(source: "{% greet name %}", context: context) == "Hello ada from Croft &lt;3")
        #expect(try environment.render(source: "{% card \"box\" %}<i>{{ name }}</i>{% endcard %}", context: context)
            == "<div class=\"box\"><i>ada</i></div>")
    }

    @Test func throwingCustomFilterBecomesATemplateErrorWithPosition() {
        let environment = TemplateEnvironment(loader: DictionaryLoader([:]))
        environment.registerFilter("boom") { _, _ in throw LookupFailure(name: "kaboom") }
        let error = templateError { try environment.render(source: "ok\n\n   {{ x|boom }}") }
        #expect(error?.kind == .render)
        #expect(error?.line == 3)
        #expect(error?.column == 4)
        #expect(error?.message.contains("boom") == true)
    }
}

struct LookupFailure: Error {
    var name: String
}

struct NestingTests {
    @Test func deepNestingRendersUpToTheLimitAndIsAnErrorBeyond() throws {
        let deep = String(repeating: "{% if a %}", count: 99) + "x" + String(repeating: "{% endif %}", count: 99)
        #expect(try render(deep, ["a": 1]) == "x")
        let tooDeep = String(repeating: "{% if a %}", count: 101) + String(repeating: "{% endif %}", count: 101)
        #expect(templateError { try render(tooDeep) }?.message.contains("nested more than") == true)
    }

    @Test func manyNegationsCollapse() throws {
        let condition = String(repeating: "not ", count: 1001) + "a"
        #expect(try render("{% if \(condition) %}t{% else %}f{% endif %}", ["a": 1]) == "f")
    }
}
