import CroftTemplates
import Testing

struct InheritanceTests {
    static let templates: [String: String] = [
        "base.html": "<title>{% block title %}Site{% endblock %}</title><main>{% block content %}base{% endblock %}</main>{% block footer %}(c){% endblock %}",
        "section.html": "{% extends \"base.html\" %}{% block title %}Section · {{ block.super }}{% endblock %}{% block content %}<section>{% block inner %}section-inner{% endblock %}</section>{% endblock %}",
        "page.html": "{% extends \"section.html\" %}ignored text{% block title %}Page · {{ block.super }}{% endblock %}{% block inner %}{{ block.super }} + page {{ who }}{% endblock %}",
        "a.html": "{% extends \"b.html\" %}",
        "b.html": "{% extends \"c.html\" %}",
        "c.html": "{% extends \"a.html\" %}",
        "self.html": "{% include \"self.html\" %}",
        "x.html": "x{% include \"y.html\" %}",
        "y.html": "\n y{% include \"x.html\" %}",
        "dynamic.html": "{% extends parent %}{% block content %}dyn{% endblock %}",
    ]

    @Test func threeLevelsWithBlockSuper() throws {
        let output = try render("{% include \"page.html\" %}", ["who": "Ada"], templates: Self.templates)
        #expect(output == "<title>Page · Section · Site</title><main><section>section-inner + page Ada</section></main>(c)")
    }

    @Test func blockSuperWorksInsideWithAndIf() throws {
        let templates = [
            "base.html": "{% block a %}A{% endblock %}",
            "child.html": "{% extends \"base.html\" %}{% block a %}{% if block.super %}{% with s=block.super %}[{{ s }}]{% endwith %}{% endif %}{% endblock %}",
        ]
        #expect(try render("{% include \"child.html\" %}", templates: templates) == "[A]")
    }

    /// Found by fuzz-templates (Fuzz/corpus/fuzz-templates/nested-same-block): a block inside a block of the
    /// same name rendered itself until the stack overflowed. Django refuses it as a duplicate; so does Croft.
    @Test func aBlockInsideABlockOfTheSameNameIsADuplicate() throws {
        let templates = [
            "base.html": "[{% block b %}base{% endblock %}]",
            "child.html": "{% extends \"base.html\" %}{% block b %}outer {% block b %}inner{% endblock %}{% endblock %}",
        ]
        #expect(throws: TemplateError.self) { try render("{% include \"child.html\" %}", templates: templates) }
        #expect(throws: TemplateError.self) { try render("{% block b %}{% block b %}{% endblock %}{% endblock %}") }
        #expect(try render("{% block a %}{% block b %}x{% endblock %}{% endblock %}") == "x")
    }

    @Test func renderingByNameUsesTheCache() throws {
        let environment = TemplateEnvironment(loader: DictionaryLoader(Self.templates))
        let first = try environment.render("page.html", context: ["who": "A"])
        let second = try environment.render("page.html", context: ["who": "B"])
        #expect(first.contains("page A") && second.contains("page B"))
        #expect(try environment.template(named: "base.html") === environment.template(named: "base.html"))
    }

    @Test func parentCanBeAVariable() throws {
        #expect(try render("{% include \"dynamic.html\" %}", ["parent": "base.html"], templates: Self.templates)
            == "<title>Site</title><main>dyn</main>(c)")
    }

    @Test func extendsCycleIsDetected() {
        let environment = TemplateEnvironment(loader: DictionaryLoader(Self.templates))
        let error = templateError { try environment.render("a.html") }
        #expect(error?.kind == .cycle)
        #expect(error?.message == "extends cycle: a.html → b.html → c.html → a.html")
        #expect(error?.template == "c.html")
    }

    @Test func includeCyclesAreDetected() {
        let environment = TemplateEnvironment(loader: DictionaryLoader(Self.templates))
        let selfError = templateError { try environment.render("self.html") }
        #expect(selfError?.kind == .cycle)
        #expect(selfError?.message == "include cycle: self.html → self.html")
        let error = templateError { try environment.render("x.html") }
        #expect(error?.kind == .cycle)
        #expect(error?.message == "include cycle: x.html → y.html → x.html")
        #expect(error?.template == "y.html")
        #expect(error?.line == 2)
        #expect(error?.column == 3)
        #expect(error?.source == Self.templates["y.html"])
    }

    @Test func missingParentIsReportedAtTheExtendsTag() {
        let error = templateError { try render("\n{% extends \"nowhere.html\" %}") }
        #expect(error?.kind == .templateNotFound)
        #expect(error?.line == 2)
        #expect(error?.message.contains("nowhere.html") == true)
    }

    @Test(arguments: [
        "x{% if a %}{% extends \"base.html\" %}{% endif %}",
        "{{ a }}{% extends \"base.html\" %}",
        "{% extends \"base.html\" %}{% extends \"base.html\" %}",
        "{% block a %}{% endblock %}{% block a %}{% endblock %}",
        "{% block a %}{% endblock b %}",
    ])
    func misplacedExtendsAndBadBlocksAreSyntaxErrors(template: String) {
        #expect(templateError { try render(template, templates: Self.templates) }?.kind == .syntax)
    }
}
