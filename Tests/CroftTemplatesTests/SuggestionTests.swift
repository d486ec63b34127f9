import Testing
@testable import CroftTemplates

/// Unknown names in templates are errors that suggest the nearest known name (`Suggestion`).
@Suite struct SuggestionTests {
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
