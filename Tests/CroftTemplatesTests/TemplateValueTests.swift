import CroftTemplates
import Foundation
import Testing

struct TemplateValueTests {
    struct Note: Encodable {
        var title: String
        var tags: [String]
        var author: Author?
        var created: Date
    }

    struct Author: Encodable {
        var name: String
    }

    @Test(arguments: [
        ("{{ user.name }}", "Ada"),
        ("{{ items.0 }}-{{ items.2 }}", "a-c"),
        ("{{ items.9 }}", ""),
        ("{{ missing }}", ""),
        ("{{ missing.deeper.still }}", ""),
        ("{{ user.missing }}", ""),
        ("{{ nested.list.1.x }}", "2"),
        ("{{ count }}", "42"),
        ("{{ ratio }}", "0.5"),
        ("{{ flag }}", "True"),
        ("{{ nothing }}", ""),
        ("{{ \"literal\" }}", "literal"),
        ("{{ 7 }}", "7"),
        ("{{ user.name|upper }}", "ADA"),
        ("{{ items|length }}", "3"),
    ])
    func looksUpPaths(template: String, expected: String) throws {
        let context: [String: TemplateValue] = [
            "user": ["name": "Ada"], "items": ["a", "b", "c"], "count": 42, "ratio": 0.5, "flag": true,
            "nothing": nil, "nested": ["list": [["x": 1], ["x": 2]]],
        ]
        #expect(try render(template, context) == expected)
    }

    @Test func encodesEncodableValuesStraightIntoTemplateValues() throws {
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let note = Note(title: "Hi", tags: ["a", "b"], author: Author(name: "Ada"), created: created)
        let value = try TemplateValue(encoding: note)
        #expect(value == ["title": "Hi", "tags": ["a", "b"], "author": ["name": "Ada"], "created": .date(created)])
        let noAuthor = try TemplateValue(encoding: Note(title: "x", tags: [], author: nil, created: created))
        if case .dictionary(let entries) = noAuthor { #expect(entries["author"] == nil) }
    }

    @Test func rendersWithAnEncodableContext() throws {
        struct Page: Encodable {
            var notes: [Note]
            var count: UInt8
        }
        let environment = TemplateEnvironment(loader: DictionaryLoader([
            "page.html": "{{ count }}:{% for note in notes %}{{ note.title }}({{ note.author.name }}) {% endfor %}",
        ]))
        let page = Page(notes: [Note(title: "One", tags: [], author: Author(name: "Ada"), created: Date())], count: 1)
        #expect(try environment.render("page.html", encoding: page) == "1:One(Ada) ")
    }

    @Test func encodesNestedCollectionsAndOptionals() throws {
        let value = try TemplateValue(encoding: ["a": [1, 2], "b": []] as [String: [Int]])
        #expect(value == ["a": [1, 2], "b": []])
        let optional: Int? = nil
        #expect(try TemplateValue(encoding: optional) == .null)
        #expect(try TemplateValue(encoding: UInt64.max) == .double(Double(UInt64.max)))
    }

    @Test func dictionaryItemsKeysAndValuesAreSortedByKey() throws {
        let context: [String: TemplateValue] = ["scores": ["b": 2, "a": 1]]
        #expect(try render("{% for k, v in scores.items %}{{ k }}={{ v }};{% endfor %}", context) == "a=1;b=2;")
        #expect(try render("{% for k in scores %}{{ k }}{% endfor %}", context) == "ab")
        #expect(try render("{{ scores.keys|join:\",\" }}", context) == "a,b")
    }
}

struct TemplateValueTruthTests {
    @Test(arguments: [
        (TemplateValue.null, false), (.bool(false), false), (.bool(true), true), (.int(0), false), (.int(-1), true),
        (.double(0), false), (.double(0.1), true), (.string(""), false), (.string("0"), true),
        (.safeString(""), false), (.array([]), false), (.array([nil]), true), (.dictionary([:]), false),
        (.dictionary(["a": nil]), true), (.date(Date(timeIntervalSince1970: 0)), true),
    ])
    func truthFollowsDjango(value: TemplateValue, truthy: Bool) {
        #expect(value.isTruthy == truthy)
    }

    @Test func literalsBuildTheExpectedCases() {
        let value: TemplateValue = ["s": "x", "i": 1, "d": 1.5, "b": true, "n": nil, "a": [1, "two"], "t": "\(1 + 1)"]
        #expect(value == .dictionary([
            "s": .string("x"), "i": .int(1), "d": .double(1.5), "b": .bool(true), "n": .null,
            "a": .array([.int(1), .string("two")]), "t": .string("2"),
        ]))
    }

    @Test func renderAcceptsAnyEncodableContextAndPreloadedTemplates() throws {
        let environment = TemplateEnvironment(loader: DictionaryLoader(["t.html": "{{ a }}{{ b }}"]))
        let strings: [String: String] = ["a": "<", "b": "2"]
        #expect(try environment.render("t.html", context: strings) == "&lt;2")
        #expect(try environment.render("t.html", context: ["a": 1]) == "1")
        let template = try environment.template(named: "t.html")
        #expect(try environment.render(template, context: ["b": "x"]) == "x")
    }
}
