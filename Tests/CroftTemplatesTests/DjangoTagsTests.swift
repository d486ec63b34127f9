import Foundation
import Testing
@testable import CroftTemplates

/// Django's tags where the output cannot be a fixture of `Django/cases.json` (those are in `DjangoParityTests`):
/// what depends on the clock or on chance, the bounds Croft puts on counts and widths, and `{% debug %}`'s
/// listing, which is Croft's own.
@Suite struct DjangoTagsTests {
    @Test func loremDrawsBeyondTheCommonPassageAndIsBounded() throws {
        let environment = TemplateEnvironment(loader: DictionaryLoader([:]))
        let passage = Lorem.commonParagraph
        // Django's first paragraph is the common passage (a fixture); the ones after it are drawn at random.
        let two = try environment.render(source: "{% lorem 2 p %}", context: [:])
        #expect(two.hasPrefix("<p>\(passage)</p>\n\n<p>") && two.hasSuffix("</p>"))
        #expect(try environment.render(source: "{% lorem 25 w %}", context: [:]).split(separator: " ").count == 25)
        // Bounded: a count from a template cannot ask for billions of words (nor a width for gigabytes).
        #expect(try environment.render(source: "{% lorem 999999999999 w %}", context: [:]).split(separator: " ").count == 10_000)
        #expect(try environment.render(source: #"{{ x|center:"999999999999" }}"#, context: ["x": "a"]).count == 10_000)
        #expect(try environment.render(source: #"{{ n|stringformat:"999999999d" }}"#, context: ["n": 1]) == "")
    }

    @Test func debugShowsTheContextOnlyWhenDebugIsOn() throws {
        // Off, it prints nothing, as Django does (the fixture `debug.off`); on, Croft lists the context escaped.
        let debugging = TemplateEnvironment(loader: DictionaryLoader([:]), globals: ["debug": true])
        #expect(try debugging.render(source: "{% debug %}", context: ["x": "<b>"]) == "<pre>debug: True\nx: &lt;b&gt;</pre>")
    }

    @Test func nowFormatsTheCurrentTimeAndWantsAQuotedFormat() throws {
        let environment = TemplateEnvironment(loader: DictionaryLoader([:]))
        let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(secondsFromGMT: 0)!, from: Date()).year!
        #expect(try environment.render(source: #"{% now "Y" %}|{% now "Y" as y %}[{{ y }}]"#, context: [:]) == "\(year)|[\(year)]")
        // Django drops the first and last character of the format without checking for quotes, so it prints
        // today's date in DATE_FORMAT for this (which is why it cannot be a fixture); Croft refuses it.
        #expect(throws: TemplateError.self) { try environment.render(source: "{% now Y %}", context: [:]) }
    }
}
