import Testing
@testable import CroftTemplates

/// The filters added from Django 5.2's reference, each against the output real Django 5.2 gave for the
/// same template and context (autoescape on; recorded with ../shared/bench/peers/django/.venv).
@Suite struct DjangoFiltersTests {
    static let cases: [(template: String, context: [String: TemplateValue], django: String)] = [
        (#"{{ v|addslashes }}"#, ["v": "I'm \"x\" \\ <b>"], #"I\&#x27;m \&quot;x\&quot; \\ &lt;b&gt;"#),
        (#"[{{ v|center:"9" }}]"#, ["v": "ab"], "[    ab   ]"),
        (#"[{{ v|center:"8" }}]"#, ["v": "abc"], "[  abc   ]"),
        (#"[{{ v|ljust:"5" }}][{{ v|rjust:"5" }}]"#, ["v": "ab"], "[ab   ][   ab]"),
        (#"{{ v|ljust:"-3" }}"#, ["v": "ab"], "ab"),
        (#"{{ v|cut:" " }}"#, ["v": "a b c"], "abc"),
        (#"{{ v|escapejs }}"#, ["v": "a'b\"c<d>&e=f-g;h\\i\n\u{2028}`"],
         #"a\u0027b\u0022c\u003Cd\u003E\u0026e\u003Df\u002Dg\u003Bh\u005Ci\u000A\u2028\u0060"#),
        ("{{ v|filesizeformat }}|{{ w|filesizeformat }}|{{ x|filesizeformat }}|{{ y|filesizeformat }}|{{ z|filesizeformat }}",
         ["v": 0, "w": 1, "x": 1536, "y": 123_456_789, "z": -2048], "0\u{A0}bytes|1\u{A0}byte|1.5\u{A0}KB|117.7\u{A0}MB|-2.0\u{A0}KB"),
        ("{{ v|filesizeformat }}", ["v": "abc"], "0\u{A0}bytes"),
        (#"{{ v|get_digit:"2" }}|{{ v|get_digit:"9" }}|{{ v|get_digit:"0" }}|{{ w|get_digit:"1" }}"#,
         ["v": 123_456, "w": "abc"], "5|0|123456|abc"),
        ("{{ v|iriencode }}", ["v": "/a b/é?x=1&y=ü#f"], "/a%20b/%C3%A9?x=1&amp;y=%C3%BC#f"),
        ("{{ v|linebreaks }}", ["v": "a\nb\n\nc<d>\r\n\r\n\r\ne"], "<p>a<br>b</p>\n\n<p>c&lt;d&gt;</p>\n\n<p>e</p>"),
        ("{{ v|linenumbers }}", ["v": .string("a\nb<\n" + Array(repeating: "x", count: 10).joined(separator: "\n"))],
         "01. a\n02. b&lt;\n03. x\n04. x\n05. x\n06. x\n07. x\n08. x\n09. x\n10. x\n11. x\n12. x"),
        ("{{ v|make_list|first }}", ["v": "hé"], "h"),
        ("{{ v|phone2numeric }}", ["v": "1-800-COLLECT x"], "1-800-2655328 9"),
        ("{{ v|slugify }}", ["v": " Joel is a slug! Ünïcode_ -- x "], "joel-is-a-slug-unicode_-x"),
        ("{{ v|wordcount }}", ["v": "a  b\nc "], "3"),
        ("{{ v|striptags }}", ["v": "<b>x</b> &amp; <i>y</i> 1 < 2 <a"], "x &amp;amp; y 1 &lt; 2 &lt;a"),
        ("{{ v|unordered_list }}", ["v": ["States", ["Kansas", ["Lawrence", "Topeka"], "Illinois"]]],
         "\t<li>States\n\t<ul>\n\t\t<li>Kansas\n\t\t<ul>\n\t\t\t<li>Lawrence</li>\n\t\t\t<li>Topeka</li>\n\t\t</ul>\n\t\t</li>\n\t\t<li>Illinois</li>\n\t</ul>\n\t</li>"),
        (#"{% for x in v|dictsort:"n" %}{{ x.n }}{% endfor %}|{% for x in v|dictsortreversed:"n" %}{{ x.n }}{% endfor %}"#,
         ["v": [["n": 2], ["n": 1], ["n": 3]]], "123|321"),
        (#"{{ v|escapeseq|join:", " }}|{{ v|safeseq|join:", " }}"#, ["v": ["<a>", "&"]], "&lt;a&gt;, &amp;|<a>, &"),
        (#"{{ v|stringformat:"05d" }}|{{ v|stringformat:"x" }}|{{ v|stringformat:"X" }}|{{ v|stringformat:"o" }}|{{ w|stringformat:".2f" }}|{{ s|stringformat:"s" }}|{{ v|stringformat:"+d" }}|{{ w|stringformat:"e" }}|{{ w|stringformat:"10.3f" }}|{{ s|stringformat:"-5s" }}|{{ s|stringformat:"5s" }}|{{ s|stringformat:"d" }}|{{ w|stringformat:"d" }}|{{ w|stringformat:"g" }}"#,
         ["v": 42, "w": 3.14159, "s": "hi"], "00042|2a|2A|52|3.14|hi|+42|3.141590e+00|     3.142|hi   |   hi||3|3.14159"),
        (#"{{ t|time:"H:i" }}|{{ t|time }}|{{ t|time:"g:i A" }}"#, ["t": "2026-01-02T15:04:05Z"], "15:04|3:04 p.m.|3:04 PM"),
        ("{{ a|timesince:b }}|{{ c|timesince:b }}|{{ b|timesince:a }}|{{ e|timesince:b }}|{{ f|timesince:b }}|{{ b|timeuntil:a }}|{{ a|timeuntil:b }}",
         ["a": "2026-01-01T00:00:00Z", "b": "2026-01-01T02:30:00Z", "c": "2024-11-20T05:00:00Z", "e": "2025-12-25T00:00:00Z",
          "f": "2026-01-01T02:29:30Z"],
         "2\u{A0}hours, 30\u{A0}minutes|1\u{A0}year, 1\u{A0}month|0\u{A0}minutes|1\u{A0}week|0\u{A0}minutes|2\u{A0}hours, 30\u{A0}minutes|0\u{A0}minutes"),
        (#"{{ x|floatformat:"x" }}|{{ x|floatformat:"2g" }}|{{ x|floatformat:"2u" }}|{{ y|floatformat:"g" }}|{{ y|floatformat:"-2g" }}|{{ z|floatformat:"0g" }}|{{ x|floatformat:"gu" }}"#,
         ["x": 12345.678, "y": 1_234_567.0, "z": -9_876_543.21], "12345.678|12,345.68|12345.68|1,234,567|1,234,567|-9,876,543|12345.7"),
        ("{{ v|wordwrap:5 }}", ["v": "Joel is a slug and a verylongword here"], "Joel\nis a\nslug\nand a\nverylongword\nhere"),
        ("{{ v|wordwrap:10 }}", ["v": "ab cd\nef gh ij kl mn op\n\nqr"], "ab cd\nef gh ij\nkl mn op\n\nqr"),
    ]

    @Test(arguments: cases.indices)
    func rendersAsDjangoDoes(_ index: Int) throws {
        let (template, context, django) = Self.cases[index]
        let environment = TemplateEnvironment(loader: DictionaryLoader([:]))
        let croft = try environment.render(source: template, context: context)
        #expect(croft == django, "\(template): Croft \(croft.debugDescription), Django \(django.debugDescription)")
    }
}

@Suite struct DidYouMeanTests {
    @Test func unknownFiltersAndTagsNameTheNearestKnownName() {
        let environment = TemplateEnvironment(loader: DictionaryLoader([:]))
        for (source, hint) in [("{{ x|truncatechar:3 }}", "did you mean `truncatechars`?"), ("{{ x|lowr }}", "did you mean `lower`?"),
                               ("{% endfr %}", "did you mean `endfor`?"), ("{% inlcude \"a\" %}", "did you mean `include`?")] {
            do {
                _ = try environment.render(source: source, context: [:])
                Issue.record("\(source) rendered")
            } catch {
                #expect("\(error)".contains(hint), "\(source): \(error)")
            }
        }
        // Nothing close: no guess.
        do {
            _ = try environment.render(source: "{{ x|zzzzzzzz }}", context: [:])
        } catch {
            #expect(!"\(error)".contains("did you mean"))
        }
        #expect(Suggestion.editDistance("teh", "the") == 1 && Suggestion.editDistance("", "abc") == 3)
    }
}
