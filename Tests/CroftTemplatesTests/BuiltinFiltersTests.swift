import CroftTemplates
import Foundation
import Testing

struct BuiltinFiltersTests {
    static let context: [String: TemplateValue] = [
        "name": "ada lovelace", "empty": "", "zero": 0, "one": 1, "two": 2, "list": ["a", "b", "c"],
        "html": "<b>", "long": "The quick brown fox jumps", "text": "line1\nline2 & <3",
        "query": "a b&c/d=é", "price": 34.23234, "whole": 34.0, "round": 2.675, "flag": true, "off": false,
        "nothing": nil, "date": .date(Date(timeIntervalSince1970: 1_199_232_000 + 13 * 3600 + 5 * 60 + 9)),
        "user": ["name": "Ada"], "titled": "they're o'neil's bill", "num": "5",
    ]

    @Test(arguments: [
        ("{{ empty|default:\"none\" }}", "none"),
        ("{{ missing|default:\"none\" }}", "none"),
        ("{{ name|default:\"none\" }}", "ada lovelace"),
        ("{{ nothing|default_if_none:\"n\" }}", "n"),
        ("{{ list|length }}", "3"),
        ("{{ name|length }}", "12"),
        ("{{ missing|length }}", "0"),
        ("{{ name|upper }}", "ADA LOVELACE"),
        ("{{ \"ABC\"|lower }}", "abc"),
        ("{{ name|title }}", "Ada Lovelace"),
        ("{% autoescape off %}{{ titled|title }}{% endautoescape %}", "They're O'Neil's Bill"),  // as Django 5.2
        ("{{ name|capfirst }}", "Ada lovelace"),
        ("{{ long|truncatechars:9 }}", "The quic…"),
        ("{{ long|truncatechars:100 }}", "The quick brown fox jumps"),
        ("{{ long|truncatewords:2 }}", "The quick …"),
        ("{{ long|truncatewords:9 }}", "The quick brown fox jumps"),
        ("{{ list|join:\", \" }}", "a, b, c"),
        ("{{ list|first }}{{ list|last }}", "ac"),
        ("{{ name|first }}", "a"),
        ("{{ date|date:\"Y-m-d H:i\" }}", "2008-01-02 13:05"),
        ("{{ date|date:\"N j, Y\" }}", "Jan. 2, 2008"),
        ("{{ date|date:\"c\" }}", "2008-01-02T13:05:09+00:00"),
        ("{{ date|date:\"W w z t L U\" }}", "1 3 2 31 True 1199279109"),
        ("{{ date|date:\"h:i a O\" }}", "01:05 p.m. +0000"),
        ("{{ date|date }}", "Jan. 2, 2008"),
        ("{{ date|date:\"D, d M y G:i:s A\" }}", "Wed, 02 Jan 08 13:05:09 PM"),
        ("{{ date|date:\"l jS F \\\\Y P\" }}", "Wednesday 2nd January Y 1:05 p.m."),
        ("{{ \"2024-03-01T10:00:00Z\"|date:\"Y/n/j g a\" }}", "2024/3/1 10 a.m."),
        ("{{ name|date:\"Y\" }}", ""),
        ("{{ html|escape }}", "&lt;b&gt;"),
        ("{{ html|escape|escape }}", "&lt;b&gt;"),
        ("{{ html|safe }}", "<b>"),
        ("{{ query|urlencode }}", "a%20b%26c/d%3D%C3%A9"),
        ("{{ query|urlencode:\"\" }}", "a%20b%26c%2Fd%3D%C3%A9"),
        ("{{ text|linebreaksbr }}", "line1<br>line2 &amp; &lt;3"),
        ("{{ zero }} item{{ zero|pluralize }}", "0 items"),
        ("{{ one }} item{{ one|pluralize }}", "1 item"),
        ("{{ two }} box{{ two|pluralize:\"es\" }}", "2 boxes"),
        ("cherr{{ one|pluralize:\"y,ies\" }} cherr{{ two|pluralize:\"y,ies\" }}", "cherry cherries"),
        ("{{ list|pluralize }}", "s"),
        ("{{ price|floatformat }}", "34.2"),
        ("{{ whole|floatformat }}", "34"),
        ("{{ price|floatformat:3 }}", "34.232"),
        ("{{ whole|floatformat:2 }}", "34.00"),
        ("{{ whole|floatformat:\"-3\" }}", "34"),
        ("{{ price|floatformat:\"-3\" }}", "34.232"),
        ("{{ round|floatformat:2 }}", "2.68"),
        ("{{ price|floatformat:0 }}", "34"),
        ("{{ name|floatformat }}", ""),
        ("{{ 0.00001|floatformat:6 }}", "0.000010"),
        ("{{ 1e20|floatformat:1 }}", "100000000000000000000.0"),
        ("{{ -2.5|floatformat:0 }}", "-3"),
        ("{{ -0.04|floatformat }}", "0.0"),
        ("{{ 34.00001|floatformat }}", "34.0"),
        ("{{ flag|yesno }}", "yes"),
        ("{{ off|yesno:\"on,off\" }}", "off"),
        ("{{ nothing|yesno:\"y,n,unknown\" }}", "unknown"),
        ("{{ nothing|yesno:\"y,n\" }}", "n"),
        ("{{ one|add:2 }}", "3"),
        ("{{ num|add:\"3\" }}", "8"),
        ("{{ price|add:1 }}", "35.23234"),
        ("{{ \"ab\"|add:\"cd\" }}", "abcd"),
        ("{{ list|add:list|length }}", "6"),
        ("{{ user|add:1 }}", ""),
        ("{{ two|divisibleby:2 }}", "True"),
        ("{{ list|slice:\":2\"|join:\"\" }}", "ab"),
        ("{{ name|upper|truncatechars:4|lower }}", "ada…"),
    ])
    func builtinFilters(template: String, expected: String) throws {
        #expect(try render(template, Self.context) == expected)
    }

    @Test func jsonScriptIsSafeInsideScriptElements() throws {
        let context: [String: TemplateValue] = ["data": ["html": "</script><script>alert('x')&", "n": 1, "list": [true, nil]]]
        let output = try render("{{ data|json_script:\"my-data\" }}", context)
        #expect(output == "<script id=\"my-data\" type=\"application/json\">"
            + "{\"html\": \"\\u003C/script\\u003E\\u003Cscript\\u003Ealert('x')\\u0026\", \"list\": [true, null], \"n\": 1}</script>")
        #expect(!output.dropFirst(8).dropLast(9).contains("</script"))
        #expect(try render("{{ 1|json_script }}") == "<script type=\"application/json\">1</script>")
    }

    @Test func joinEscapesItemsButNotSafeOnes() throws {
        let context: [String: TemplateValue] = ["items": ["<a>", .safeString("<b>")]]
        #expect(try render("{{ items|join:\" & \" }}", context) == "&lt;a&gt; & <b>")
        #expect(try render("{% autoescape off %}{{ items|join:\"&\" }}{% endautoescape %}", context) == "<a>&<b>")
    }

    @Test func upperDoesNotKeepSafetyButLowerDoes() throws {
        #expect(try render("{{ html|safe|upper }}", ["html": "<b>"]) == "&lt;B&gt;")
        #expect(try render("{{ html|safe|lower }}", ["html": "<B>"]) == "<b>")
    }
}
