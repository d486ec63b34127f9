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

/// The timeouts, drain, keep-alive and lingering close, driven with a fake clock: no sockets, no sleeps.
/// Times are in seconds from the connection's accept (`at(_:)` turns them into the state's nanoseconds).
@Suite struct ConnectionTimelineTests {
    static let second: UInt64 = 1_000_000_000
    static func at(_ seconds: Double) -> UInt64 { UInt64(seconds * 1e9) + 1_000 * second }

    static func timeouts() -> HTTPConnectionState.Timeouts {
        var timeouts = HTTPConnectionState.Timeouts()
        timeouts.requestHead = 10 * second
        timeouts.keepAlive = 60 * second
        timeouts.write = 30 * second
        timeouts.minimumBodyRate = 100
        timeouts.bodyRateWindow = 10 * second
        return timeouts
    }

    static func fresh(_ timeouts: HTTPConnectionState.Timeouts = timeouts()) -> HTTPConnectionState {
        HTTPConnectionState(timeouts: timeouts, now: at(0))
    }

    static func feed(_ state: inout HTTPConnectionState, _ text: String, at seconds: Double) -> HTTPConnectionState.Action {
        Array(text.utf8).withUnsafeBytes { state.received($0, now: at(seconds)) }
    }

    /// Answers the dispatched request with `bytes` of output, all written at once.
    static func answer(_ state: inout HTTPConnectionState, at seconds: Double, wantsClose: Bool = false,
                       serverDraining: Bool = false) -> (keepAlive: Bool, next: HTTPConnectionState.Action) {
        let keepAlive = state.responseStarted(wantsClose: wantsClose, serverDraining: serverDraining, now: at(seconds))
        state.queued(100, now: at(seconds))
        state.responseQueued(now: at(seconds))
        state.wrote(100, now: at(seconds))
        return (keepAlive, state.flushed(now: at(seconds)))
    }

    static let get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"

    @Test func aHeadTrickledPastTheHeadTimeoutIs408EvenThoughBytesKeepComing() {
        var state = Self.fresh()
        _ = Self.feed(&state, "GET / HTTP/1.1\r\n", at: 0)
        for second in 1...9 {
            _ = Self.feed(&state, "X-\(second): a\r\n", at: Double(second))
            guard case .readMore = state.tick(now: Self.at(Double(second) + 0.5)) else {
                Issue.record("cut off at \(second) s, before the head timeout"); return
            }
        }
        guard case .reject(let error) = state.tick(now: Self.at(10.1)) else { Issue.record("no 408 at 10.1 s"); return }
        #expect(error.status.code == 408)
        #expect(state.closeWhenFlushed)
        #expect(state.shouldPauseReading)  // nothing more is read until the 408 is sent
        #expect(state.stalledSince == nil)  // refused, not stalled: the eviction at the cap passes it by
    }

    @Test func aBodyThatStallsIsCutOffAfterTheHeadTimeout() {
        var timeouts = Self.timeouts()
        timeouts.minimumBodyRate = 0
        var state = Self.fresh(timeouts)
        _ = Self.feed(&state, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc", at: 0)
        #expect(state.isReceivingBody)
        guard case .readMore = state.tick(now: Self.at(9.9)) else { Issue.record("cut off early"); return }
        _ = Self.feed(&state, "d", at: 9.9)  // progress resets the stall clock
        guard case .readMore = state.tick(now: Self.at(19)) else { Issue.record("cut off after progress"); return }
        guard case .reject(let error) = state.tick(now: Self.at(20)) else { Issue.record("a stalled body was kept"); return }
        #expect(error.status.code == 408)
    }

    @Test func aBodyBelowTheMinimumRateIs408AndAFastOneIsNot() {
        var slow = Self.fresh()
        _ = Self.feed(&slow, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n", at: 0)
        var now = 0.0
        var refused: HTTPParseError?
        while now < 30, refused == nil {
            now += 0.25
            if Int(now * 4) % 2 == 0 { _ = Self.feed(&slow, "x", at: now) }  // 2 bytes a second
            if case .reject(let error) = slow.tick(now: Self.at(now)) { refused = error }
        }
        #expect(refused?.status.code == 408)
        #expect(now <= 21)  // the first full window after the first check

        var fast = Self.fresh()
        _ = Self.feed(&fast, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n", at: 0)
        for step in 1...80 {
            _ = Self.feed(&fast, String(repeating: "y", count: 200), at: Double(step) * 0.25)
            guard case .readMore = fast.tick(now: Self.at(Double(step) * 0.25)) else {
                Issue.record("800 B/s refused at step \(step)"); return
            }
        }
    }

    @Test func anIdleKeepAliveConnectionClosesAfterTheKeepAliveTimeout() {
        var state = Self.fresh()
        guard case .dispatch = Self.feed(&state, Self.get, at: 0) else { Issue.record("no dispatch"); return }
        let (keepAlive, next) = Self.answer(&state, at: 1)
        #expect(keepAlive)
        guard case .responseComplete = next else { Issue.record("expected responseComplete, got \(next)"); return }
        guard case .readMore = state.nextRequest(now: Self.at(1)) else { Issue.record("expected readMore"); return }
        #expect(state.isIdle)
        guard case .readMore = state.tick(now: Self.at(60.9)) else { Issue.record("closed before the timeout"); return }
        guard case .close = state.tick(now: Self.at(61.1)) else { Issue.record("idle connection kept"); return }
    }

    @Test func aClientThatStopsReadingIsDroppedAfterTheWriteTimeout() {
        var state = Self.fresh()
        _ = Self.feed(&state, Self.get, at: 0)
        _ = state.responseStarted(wantsClose: false, serverDraining: false, now: Self.at(0))
        state.queued(1_000_000, now: Self.at(0))
        state.responseQueued(now: Self.at(0))
        state.wrote(300_000, now: Self.at(1))
        guard case .readMore = state.flushed(now: Self.at(1)) else { Issue.record("above high water must wait"); return }
        guard case .readMore = state.tick(now: Self.at(30.9)) else { Issue.record("dropped while within the timeout"); return }
        guard case .close = state.tick(now: Self.at(31.1)) else { Issue.record("a stalled reader was kept"); return }
    }

    @Test func thePipelinedRequestWaitsUntilOutputIsBelowTheHighWaterMark() {
        var state = Self.fresh()
        _ = Self.feed(&state, Self.get + Self.get, at: 0)
        _ = state.responseStarted(wantsClose: false, serverDraining: false, now: Self.at(0))
        state.queued(300_000, now: Self.at(0))
        state.responseQueued(now: Self.at(0))
        guard case .readMore = state.flushed(now: Self.at(0)) else { Issue.record("next request before drain"); return }
        state.wrote(100_000, now: Self.at(0.1))
        guard case .responseComplete = state.flushed(now: Self.at(0.1)) else { Issue.record("no continue below high water"); return }
        guard case .dispatch = state.nextRequest(now: Self.at(0.1)) else { Issue.record("pipelined request lost"); return }
    }

    @Test func aStreamedBodysWriterWaitsForRoomAndResumes() {
        var state = Self.fresh()
        _ = Self.feed(&state, Self.get, at: 0)
        _ = state.responseStarted(wantsClose: false, serverDraining: false, now: Self.at(0))
        state.queued(100, now: Self.at(0))
        let roomy = state.streamWriterShouldWait()
        #expect(!roomy)
        state.queued(300_000, now: Self.at(0))
        let full = state.streamWriterShouldWait()
        #expect(full)
        state.wrote(200_000, now: Self.at(1))
        guard case .resumeStreamWriter = state.flushed(now: Self.at(1)) else { Issue.record("writer not resumed"); return }
    }

    @Test func keepAliveIsDecidedAtTheResponse() {
        // The response's own Connection: close, a draining connection and a draining server each end it.
        for (wantsClose, draining, server) in [(true, false, false), (false, true, false), (false, false, true)] {
            var state = Self.fresh()
            _ = Self.feed(&state, Self.get, at: 0)
            if draining { _ = state.drain(hasPendingInput: { false }) }
            let (keepAlive, next) = Self.answer(&state, at: 1, wantsClose: wantsClose, serverDraining: server)
            #expect(!keepAlive)
            guard case .lingeringClose = next else { Issue.record("expected lingering close, got \(next)"); return }
        }
        // HTTP/1.0 without Keep-Alive closes; with it, stays.
        var old = Self.fresh()
        _ = Self.feed(&old, "GET / HTTP/1.0\r\n\r\n", at: 0)
        #expect(!Self.answer(&old, at: 0).keepAlive)
        var kept = Self.fresh()
        _ = Self.feed(&kept, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", at: 0)
        #expect(Self.answer(&kept, at: 0).keepAlive)
    }

    @Test func aHalfClosedPeerGetsEveryPipelinedAnswerThenTheConnectionCloses() {
        var state = Self.fresh()
        guard case .dispatch = Self.feed(&state, Self.get + Self.get, at: 0) else { Issue.record("no dispatch"); return }
        guard case .readMore = state.peerClosed() else { Issue.record("closed with a response pending"); return }
        // The first request came before the FIN: kept alive, so the second is answered too.
        let first = Self.answer(&state, at: 0)
        #expect(first.keepAlive)
        guard case .dispatch = state.nextRequest(now: Self.at(0)) else { Issue.record("second request lost"); return }
        let second = Self.answer(&state, at: 0)
        #expect(!second.keepAlive)
        // The peer already half-closed: nothing to linger for.
        guard case .close = second.next else { Issue.record("expected close, got \(second.next)"); return }
    }

    @Test func aLingeringCloseDiscardsInputUntilItsDeadlineOrLimit() {
        var timeouts = Self.timeouts()
        timeouts.lingerDiscardLimit = 1000
        var state = Self.fresh(timeouts)
        guard case .reject = Self.feed(&state, "GET / HTTP/1.1\r\nHost : a\r\n\r\n", at: 0) else { Issue.record("no reject"); return }
        state.queued(50, now: Self.at(0))
        state.wrote(50, now: Self.at(0))
        guard case .lingeringClose = state.flushed(now: Self.at(0)) else { Issue.record("no lingering close"); return }
        #expect(state.isLingering)
        guard case .readMore = Self.feed(&state, String(repeating: "z", count: 900), at: 0.5) else { Issue.record("discarding stopped early"); return }
        guard case .readMore = state.tick(now: Self.at(1.9)) else { Issue.record("linger ended early"); return }
        guard case .close = state.tick(now: Self.at(2.1)) else { Issue.record("linger outlived its deadline"); return }
        // Past the discard limit it closes at once.
        var flood = Self.fresh(timeouts)
        _ = Self.feed(&flood, "GET / HTTP/1.1\r\nHost : a\r\n\r\n", at: 0)
        _ = flood.flushed(now: Self.at(0))
        guard case .close = Self.feed(&flood, String(repeating: "z", count: 1001), at: 0.1) else { Issue.record("limit ignored"); return }
        // A peer that closes while we linger is simply closed.
        var polite = Self.fresh(timeouts)
        _ = Self.feed(&polite, "GET / HTTP/1.1\r\nHost : a\r\n\r\n", at: 0)
        _ = polite.flushed(now: Self.at(0))
        guard case .close = polite.peerClosed() else { Issue.record("peer close while lingering"); return }
    }

    @Test func drainClosesIdleConnectionsServesArrivingRequestsAndGivesNewOnesAGrace() {
        // Idle after a request: closed at once.
        var idle = Self.fresh()
        _ = Self.feed(&idle, Self.get, at: 0)
        _ = Self.answer(&idle, at: 0)
        _ = idle.nextRequest(now: Self.at(0))
        guard case .close = idle.drain(hasPendingInput: { false }) else { Issue.record("idle connection kept"); return }
        // A request in the kernel's buffer, not read yet: read and served.
        var arriving = Self.fresh()
        _ = Self.feed(&arriving, Self.get, at: 0)
        _ = Self.answer(&arriving, at: 0)
        _ = arriving.nextRequest(now: Self.at(0))
        guard case .readNow = arriving.drain(hasPendingInput: { true }) else { Issue.record("pending request reset"); return }
        // Just accepted, nothing sent yet: the drain grace, then closed.
        var new = Self.fresh()
        guard case .readMore = new.drain(hasPendingInput: { false }) else { Issue.record("new connection closed at once"); return }
        guard case .readMore = new.tick(now: Self.at(0.9)) else { Issue.record("grace cut short"); return }
        guard case .close = new.tick(now: Self.at(1.1)) else { Issue.record("grace never ends"); return }
        // Busy: the response finishes first and says close.
        var busy = Self.fresh()
        _ = Self.feed(&busy, Self.get, at: 0)
        guard case .readMore = busy.drain(hasPendingInput: { Issue.record("peeked at a busy socket"); return false }) else {
            Issue.record("busy connection closed"); return
        }
        #expect(!Self.answer(&busy, at: 0.5).keepAlive)
    }

    @Test func aClosingResponseIsNotCutOffByInputThatArrivesBeforeItIsFlushed() {
        // A response without keep-alive (here: the connection drains) is still being written when the
        // client pipelines another request: reading pauses, the response finishes, then the linger discards.
        var state = Self.fresh()
        _ = Self.feed(&state, Self.get, at: 0)
        _ = state.drain(hasPendingInput: { false })
        let keepAlive = state.responseStarted(wantsClose: false, serverDraining: false, now: Self.at(0))
        #expect(!keepAlive)
        state.queued(1_000_000, now: Self.at(0))
        state.responseQueued(now: Self.at(0))
        state.wrote(100_000, now: Self.at(0))
        guard case .readMore = state.flushed(now: Self.at(0)) else { Issue.record("closed with output pending"); return }
        #expect(state.shouldPauseReading)
        guard case .readMore = Self.feed(&state, Self.get, at: 0.1) else { Issue.record("input cut the response off"); return }
        state.wrote(900_000, now: Self.at(0.2))
        guard case .lingeringClose = state.flushed(now: Self.at(0.2)) else { Issue.record("no lingering close"); return }
        #expect(!state.shouldPauseReading)
        // A refusal queued behind unsent output is not cut off by more input either.
        var refused = Self.fresh()
        _ = refused.refuse(HTTPParseError(.serviceUnavailable, "busy"))
        refused.queued(500, now: Self.at(0))
        guard case .readMore = Self.feed(&refused, "more", at: 0.1) else { Issue.record("the 503 was cut off"); return }
        #expect(refused.shouldPauseReading)
    }

    @Test func afterAHalfCloseAnIncompleteNextRequestEndsTheConnection() {
        // The peer sent one request, a fragment of another, then FIN while the first was being handled.
        var state = Self.fresh()
        guard case .dispatch = Self.feed(&state, Self.get + "GET /b HT", at: 0) else { Issue.record("no dispatch"); return }
        guard case .readMore = state.peerClosed() else { Issue.record("closed with a response pending"); return }
        let (keepAlive, next) = Self.answer(&state, at: 1)
        #expect(keepAlive)  // decided before the FIN
        guard case .responseComplete = next else { Issue.record("expected responseComplete"); return }
        // Nothing more can arrive: closed now, not held until the keep-alive timeout.
        guard case .close = state.nextRequest(now: Self.at(1)) else { Issue.record("a dead connection was kept"); return }
    }

    @Test func theWriteTimeoutRunsFromTheFirstUnsentByte() {
        var state = Self.fresh()
        _ = Self.feed(&state, Self.get, at: 0)
        _ = Self.answer(&state, at: 0)
        _ = state.nextRequest(now: Self.at(0))
        // Long idle, then output that never drains: 30 s from when it was queued, not from the last write.
        state.queued(10, now: Self.at(50))
        guard case .readMore = state.tick(now: Self.at(60)) else { Issue.record("dropped at once"); return }
        guard case .close = state.tick(now: Self.at(80.5)) else { Issue.record("never dropped"); return }
    }

    @Test func stalledSinceNamesOnlyConnectionsThatHoldASocketForNothing() {
        var silent = Self.fresh()
        #expect(silent.stalledSince == Self.at(0))
        _ = Self.feed(&silent, "GET / HT", at: 2)
        #expect(silent.stalledSince == Self.at(2))
        _ = Self.feed(&silent, "TP/1.1\r\nHost: a\r\n\r\n", at: 3)
        #expect(silent.stalledSince == nil)  // a handler is working on it
    }
}
