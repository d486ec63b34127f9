import CroftTemplates
import Foundation
import Testing

/// A small deterministic generator (SplitMix64), so a failing case can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct FuzzTests {
    static let fragments = [
        "{{ ", " }}", "{% ", " %}", "{#", "#}", "{", "}", "%", "|", ":", "\"", "'", ".", "\n", " ", "x", "items",
        "user.name", "items.0", "0", "-1", "99999999999999999999", "1e400", "nan", "{{ x }}", "{{ items|join:\", \" }}",
        "{% if x %}", "{% elif y %}", "{% else %}", "{% endif %}", "{% for i in items %}", "{% empty %}",
        "{% endfor %}", "{% for a, b in d.items reversed %}", "{% block b %}", "{% endblock %}", "{{ block.super }}",
        "{% extends \"base.html\" %}", "{% extends \"loop.html\" %}", "{% include \"part.html\" %}",
        "{% include \"loop.html\" %}", "{% include x %}", "{% with a=x %}", "{% endwith %}", "{% comment %}",
        "{% endcomment %}", "{% verbatim %}", "{% endverbatim %}", "{% autoescape off %}", "{% endautoescape %}",
        "{{ forloop.counter }}", "{{ forloop.parentloop.last }}", "|truncatechars:-5", "|floatformat:9999",
        "|date:\"Y-m-d\"", "|add:x", "|default:\"d\"", "|pluralize:\"a,b,c\"", "|slice:\"-9:\"", "|json_script",
        "|yesno", "|urlencode", "|title", "not", " and ", " or ", " in ", " == ", " < ", "{% url \"r\" x %}",
        "{% static \"a.css\" %}", "{% csrf_token %}", "é", "\u{0}", "<script>", "&",
        "{% querystring a=x b=None %}", "{% querystring d items=items as q %}", " is ", " is not ", "None",
        "|truncatechars_html:3", "|truncatewords_html:1", "|urlize", "|urlizetrunc:2", "http://x.com/(a&amp;;",
        "www.x.org.", "a@b.com", "<b>", "</b", "<!--", "&#x",
    ]
    static let templates = [
        "base.html": "[{% block b %}base{% endblock %}]",
        "part.html": "<{{ x }}>",
        "loop.html": "{% include \"loop.html\" %}",
    ]

    /// Set CROFT_FUZZ_COUNT and CROFT_FUZZ_SEED to run a longer or different campaign.
    @Test func randomTemplatesEitherRenderOrThrowTemplateError() throws {
        let environment = TemplateEnvironment(
            loader: DictionaryLoader(Self.templates), urlResolver: { name, _ in "/" + name })
        let context: [String: TemplateValue] = [
            "x": "<x>", "y": 0, "items": [1, "two", 3.5, nil, ["k": "v"]], "user": ["name": "Ada"],
            "d": ["k": [1, 2]], "csrf_token": "t",
            "request": ["query_string": "a=1&b=%zz&&a=&=", "GET": .queryFields("a=1&b=%zz&&a=&=")],
        ]
        var rendered = 0
        var failed = 0
        let count = ProcessInfo.processInfo.environment["CROFT_FUZZ_COUNT"].flatMap(Int.init) ?? 3000
        let seed = ProcessInfo.processInfo.environment["CROFT_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_122
        var generator = SeededGenerator(state: seed)
        for _ in 0..<count {
            var source = ""
            for _ in 0..<Int.random(in: 1...24, using: &generator) {
                if Int.random(in: 0..<6, using: &generator) == 0 {
                    source.unicodeScalars.append(Unicode.Scalar(UInt8.random(in: 32...126, using: &generator)))
                } else {
                    source += Self.fragments.randomElement(using: &generator)!
                }
            }
            do {
                _ = try environment.render(source: source, name: "fuzz.html", context: context)
                rendered += 1
            } catch is TemplateError {
                failed += 1
            }
        }
        #expect(rendered > 100)
        #expect(failed > 100)
    }
}
