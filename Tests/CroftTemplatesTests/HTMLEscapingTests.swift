import CroftTemplates
import Testing

struct HTMLEscapingTests {
    @Test(arguments: [
        ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\"", "&quot;"), ("'", "&#x27;"),
        ("plain text", "plain text"), ("a<b>&\"c'", "a&lt;b&gt;&amp;&quot;c&#x27;"), ("é<ü", "é&lt;ü"),
    ])
    func escapesAllFiveCharacters(input: String, expected: String) throws {
        #expect(try render("{{ x }}", ["x": .string(input)]) == expected)
    }

    @Test(arguments: [
        "\" onmouseover=\"alert(1)",
        "' onmouseover='alert(1)",
        "\"><script>alert(1)</script>",
        "javascript&colon;alert(1)",
    ])
    func attributePayloadsCannotBreakOutOfQuotedAttributes(payload: String) throws {
        let output = try render("<input value=\"{{ x }}\" title='{{ x }}'>", ["x": .string(payload)])
        #expect(output.hasPrefix("<input value=\"") && output.hasSuffix("'>"))
        #expect(!output.contains("<script"))
        #expect(output.filter { $0 == "\"" }.count == 2)
        #expect(output.filter { $0 == "'" }.count == 2)
    }

    @Test func safeStringsAreNeverEscapedTwice() throws {
        #expect(try render("{{ x }}", ["x": .safeString("<b>&amp;</b>")]) == "<b>&amp;</b>")
        #expect(try render("{{ x|escape }}", ["x": "&"]) == "&amp;")
        #expect(try render("{{ x|force_escape }}", ["x": .safeString("&amp;")]) == "&amp;amp;")
    }

    @Test func autoescapeCanBeTurnedOffForTheEnvironment() throws {
        #expect(try render("{{ x }}", ["x": "<b>"], autoescape: false) == "<b>")
    }

    @Test func numbersAndFilterArgumentsFromVariablesAreEscaped() throws {
        #expect(try render("{{ missing|default:x }}", ["x": "<i>"]) == "&lt;i&gt;")
        #expect(try render("{{ missing|default:\"<i>\" }}") == "<i>")
    }
}
