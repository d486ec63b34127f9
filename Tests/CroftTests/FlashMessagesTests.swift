import Foundation
import Testing

@testable import Croft

@Suite struct FlashMessagesTests {
    @Test func onlyTheNewestTenAreKept() {
        // A client that never follows its redirects grew the session row by one message per request.
        var request = Request(method: .post, target: "/notes/new")
        request.storage[SessionKey.self] = Session(id: nil, stored: false, values: [:])
        for index in 1...25 { request.flash("message \(index)") }
        #expect(request.takeFlashMessages().map(\.text) == (16...25).map { "message \($0)" })
        #expect(request.takeFlashMessages().isEmpty)
    }
}
