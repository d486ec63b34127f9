import Testing

@testable import Croft

/// `Request.cookies`, byte by byte as RFC 6265 §5.4 splits them.
@Suite struct CookieParsingTests {
    static func cookies(_ header: String) -> [String: String] {
        Request(method: .get, target: "/", headers: ["Cookie": header]).cookies
    }

    @Test func separatorsSplitEvenWhenAMarkFollowsThem() {
        // A combining mark makes ";\u{301}" one Character: splitting Characters hid the session cookie.
        #expect(Self.cookies("a=1;\u{301}croft_session=x")["croft_session"] == nil)
        #expect(Self.cookies("a=1;\u{301}croft_session=x")["a"] == "1")
        #expect(Self.cookies("a=1; croft_session=x")["croft_session"] == "x")
        #expect(Self.cookies("\u{6DD};croft_session=y")["croft_session"] == "y")
        #expect(Self.cookies("n=\u{301}=v")["n"] == "\u{301}=v")
    }

    @Test func quotesSpacesAndRepeats() {
        #expect(Self.cookies(" a = 1 ;b=\"two\";a=3;;=x;novalue") == ["a ": " 1", "b": "two", "a": "3", "": "x"])
        #expect(Self.cookies("\t\t") == [:])
    }
}
