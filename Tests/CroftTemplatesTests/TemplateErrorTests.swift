import CroftTemplates
import Testing

struct TemplateErrorTests {
    @Test(arguments: [
        ("{% frobnicate %}", TemplateError.Kind.unknownTag, 1, 1, "unknown tag 'frobnicate'"),
        ("ab\ncd {{ x|nosuch }}", .unknownFilter, 2, 4, "unknown filter 'nosuch'"),
        ("a\n\n  {% for x in xs %}{{ x }}", .unclosedTag, 3, 3, "expected '{% endfor %}'"),
        ("{% if a %}", .unclosedTag, 1, 1, "expected '{% endif %}'"),
        ("{% block b %}", .unclosedTag, 1, 1, "endblock"),
        ("{% comment %}", .unclosedTag, 1, 1, "endcomment"),
        ("{% verbatim %}{{", .unclosedTag, 1, 1, "endverbatim"),
        ("x {{ a ", .syntax, 1, 3, "unclosed tag"),
        ("x\n{% if %}", .syntax, 2, 1, "needs a condition"),
        ("{% if a == %}{% endif %}", .syntax, 1, 1, "ends where a value was expected"),
        ("{% if a b %}{% endif %}", .syntax, 1, 1, "unexpected 'b'"),
        ("{% for x on xs %}{% endfor %}", .syntax, 1, 1, "for x in items"),
        ("{% endfor %}", .syntax, 1, 1, "unexpected '{% endfor %}'"),
        ("{% for x in xs %}{% endif %}{% endfor %}", .syntax, 1, 18, "inside '{% for x in xs %}'"),
        ("é {{ a|truncatechars }}", .syntax, 1, 3, "requires an argument"),
        ("{{ a|upper:1 }}", .syntax, 1, 1, "takes no argument"),
        ("{{ a.b..c }}", .syntax, 1, 1, "invalid variable name 'a.b..c'"),
        ("{{ \"open }}", .syntax, 1, 1, "unterminated string"),
        ("{{ }}", .syntax, 1, 1, "empty variable tag"),
        ("{% with x %}{% endwith %}", .syntax, 1, 1, "name=value"),
        ("{% autoescape maybe %}{% endautoescape %}", .syntax, 1, 1, "'on' or 'off'"),
    ])
    func errorsNameKindPositionAndText(template: String, kind: TemplateError.Kind, line: Int, column: Int, text: String) {
        let error = templateError { try render(template) }
        #expect(error?.kind == kind)
        #expect(error?.template == "test.html")
        #expect(error?.line == line)
        #expect(error?.column == column)
        #expect(error?.message.contains(text) == true, "\(String(describing: error))")
    }

    @Test func missingTemplateSaysSo() {
        let environment = TemplateEnvironment(loader: DictionaryLoader([:]))
        let error = templateError { try environment.render("nope.html") }
        #expect(error?.kind == .templateNotFound)
        #expect(error?.description == "nope.html: template 'nope.html' not found")
    }

    @Test func excerptShowsNumberedLinesAndACaret() throws {
        let source = "one\ntwo\n  {% bad %}\nfour\nfive\nsix"
        let error = try #require(templateError { try render(source) })
        #expect(error.source == source)
        #expect(error.description == "test.html:3:3: unknown tag 'bad' in '{% bad %}'")
        #expect(error.excerpt(radius: 1) == "  2 | two\n> 3 |   {% bad %}\n    |   ^\n  4 | four\n")
        #expect(TemplateError.excerpt(of: source, line: 99, column: 1) == "")
    }
}
