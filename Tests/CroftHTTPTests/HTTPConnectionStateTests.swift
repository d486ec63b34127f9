import Testing
@testable import CroftHTTP

@Suite struct HTTPConnectionStateTests {
    private func feed(_ state: inout HTTPConnectionState, _ text: String) -> HTTPConnectionState.Action {
        Array(text.utf8).withUnsafeBytes { state.received($0) }
    }

    @Test func dispatchesOneRequestAtATimeForPipelinedInput() {
        var state = HTTPConnectionState()
        let action = feed(&state, "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
        guard case .dispatch(let first) = action else { Issue.record("expected dispatch, got \(action)"); return }
        #expect(first.target == "/a")
        #expect(state.isAwaitingResponse)
        guard case .readMore = state.processInput() else { Issue.record("must wait for the response"); return }
        guard case .dispatch(let second) = state.responseSent(keepAlive: true) else { Issue.record("expected /b"); return }
        #expect(second.target == "/b")
    }

    @Test func asksForContinueBeforeTheBody() {
        var state = HTTPConnectionState()
        let action = feed(&state, "PUT /u HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        guard case .sendContinue = action else { Issue.record("expected sendContinue, got \(action)"); return }
        guard case .readMore = state.processInput() else { Issue.record("expected readMore"); return }
        guard case .dispatch(let request) = feed(&state, "abc") else { Issue.record("expected dispatch"); return }
        #expect(request.body == Array("abc".utf8))
    }

    @Test func rejectsAndClosesOnMalformedInput() {
        var state = HTTPConnectionState()
        guard case .reject(let error) = feed(&state, "GET / HTTP/1.1\r\nHost : a\r\n\r\n") else {
            Issue.record("expected reject")
            return
        }
        #expect(error.status == .badRequest)
        guard case .close = state.processInput() else { Issue.record("expected close after reject"); return }
    }

    @Test func closesAfterResponseWhenNotKeepingAlive() {
        var state = HTTPConnectionState()
        _ = feed(&state, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        guard case .close = state.responseSent(keepAlive: false) else { Issue.record("expected close"); return }
    }

    @Test func reportsIdleAndReceivingPhases() {
        var state = HTTPConnectionState()
        #expect(state.isIdle)
        _ = feed(&state, "GET / HTTP/1.1\r\nHo")
        #expect(state.isReceivingHead)
        #expect(!state.isIdle)
        _ = feed(&state, "st: a\r\n\r\n")
        #expect(state.isAwaitingResponse)
        _ = state.responseSent(keepAlive: true)
        #expect(state.isIdle)
    }

    @Test func keepAliveRulesFollowTheVersion() {
        #expect(Request(method: .get, target: "/", version: .http1_1).wantsKeepAlive)
        #expect(!Request(method: .get, target: "/", version: .http1_1, headers: ["Connection": "close"]).wantsKeepAlive)
        #expect(!Request(method: .get, target: "/", version: .http1_0).wantsKeepAlive)
        #expect(Request(method: .get, target: "/", version: .http1_0, headers: ["Connection": "Keep-Alive"]).wantsKeepAlive)
    }
}
