@testable import App
import Croft
import CroftTesting
import Foundation
import Testing

/// Email verification, invitations and the staff user pages, over a real socket and a real SMTP server.
@Suite(.serialized) struct AccountLifecycleTests {
    /// The first link to this site in a message's text part whose path starts with `prefix`.
    static func link(_ mail: SMTPSink.ReceivedMail, _ prefix: String) throws -> String {
        let text = try #require(mail.text("text/plain"))
        let range = try #require(text.range(of: "http://[^\\s/]+" + prefix + "[^\\s]+", options: .regularExpression), "\(text)")
        return PasswordResetTests.path(String(text[range]))
    }

    static func user(_ site: LiveSite, _ email: String) async throws -> User? {
        try await site.database.read { db in try User.find(email: email, in: db) }
    }

    @Test func mandatoryVerificationHoldsSignInUntilTheLinkIsFollowed() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        try await PasswordResetTests.withSite(sink, environment: ["ACCOUNT_EMAIL_VERIFICATION": "mandatory"]) { site in
            let visitor = site.visitor()
            let signup = try await visitor.signUp("vera@example.com", password: "correct horse")
            #expect(signup.header("Location") == "/accounts/verify")
            #expect(try await visitor.get("/accounts/profile").status == 303)  // not signed in
            let refused = try await site.visitor().logIn("vera@example.com", password: "correct horse")
            #expect(refused.status == 403)
            #expect(refused.text.contains("Confirm your email address first"))
            // A wrong password says nothing about verification.
            #expect(try await site.visitor().logIn("vera@example.com", password: "wrong words").text.contains("incorrect"))

            let mail = try #require(try await sink.waitForMessages(1).first)
            #expect(mail.subject == "Confirm your email address")
            let link = try Self.link(mail, "/accounts/verify/")
            // Fetching the link (as a mail scanner does) confirms nothing; the button does.
            let page = try await visitor.get(link)
            #expect(page.status == 200)
            #expect(try await Self.user(site, "vera@example.com")?.emailVerifiedAt == nil)
            #expect(try await visitor.post(link).status == 303)
            #expect(try await Self.user(site, "vera@example.com")?.emailVerifiedAt != nil)
            #expect(try await site.visitor().logIn("vera@example.com", password: "correct horse").status == 303)
            #expect(try await site.visitor().get(link).status == 404)  // used

            // Resending for a verified account sends nothing, and answers as for any address.
            let again = site.visitor()
            try await again.get("/accounts/verify")
            #expect(try await again.post("/accounts/verify/resend", [("email", "vera@example.com")]).status == 303)
            try await again.get("/accounts/verify")
            #expect(try await again.post("/accounts/verify/resend", [("email", "nobody@example.com")]).status == 303)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try sink.messages().count == 1)
        }
    }

    @Test func aChangedEmailNeedsThePasswordAndIsVerifiedAgain() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        try await PasswordResetTests.withSite(sink) { site in  // ACCOUNT_EMAIL_VERIFICATION=optional, the default
            let visitor = site.visitor()
            #expect(try await visitor.signUp("olga@example.com", password: "correct horse").header("Location") == "/notes")
            let first = try #require(try await sink.waitForMessages(1).first)
            #expect(first.rcptTos == ["olga@example.com"])
            try await visitor.get(try Self.link(first, "/accounts/verify/"))  // the page's CSRF token (sign-up rotated the session)
            try await visitor.post(try Self.link(first, "/accounts/verify/"))
            #expect(try await Self.user(site, "olga@example.com")?.emailVerifiedAt != nil)

            _ = try await site.createUser("taken@example.com")
            try await visitor.get("/accounts/profile")
            let wrong = try await visitor.post("/accounts/email", [("email", "olga@new.example"), ("password", "not it")])
            #expect(wrong.status == 422)
            #expect(wrong.text.contains("Your password is not correct."))
            #expect(try await visitor.post("/accounts/email", [("email", "taken@example.com"), ("password", "correct horse")]).status == 422)
            // Wrong passwords here count toward the sign-in lock-out (a stolen session cannot guess freely).
            for _ in 0..<4 { _ = try await visitor.post("/accounts/email", [("email", "olga@new.example"), ("password", "guess")]) }
            #expect(try await visitor.post("/accounts/email", [("email", "olga@new.example"), ("password", "guess")]).status == 429)
            try await site.database.write { db in try AccountController.throttle.reset(email: "olga@example.com", in: db) }
            #expect(try await visitor.post("/accounts/email", [("email", "olga@new.example"), ("password", "correct horse")]).status == 303)
            let moved = try #require(try await Self.user(site, "olga@new.example"))
            #expect(moved.emailVerifiedAt == nil)
            let second = try await sink.waitForMessages(2)
            #expect(second[1].rcptTos == ["olga@new.example"])
            // The first link named the old address: it no longer works.
            #expect(try await site.visitor().get(try Self.link(first, "/accounts/verify/")).status == 404)
            let events = try await site.database.read { db in try AuditEvent.query().where("action = ?", "auth.email_change").all(db) }
            #expect(events.first?.details.contains("olga@example.com") == true)
        }
    }

    @Test func invitationsAreTheOnlyWayInWithSignupInviteAndWorkOnce() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        try await PasswordResetTests.withSite(sink, environment: ["SIGNUP": "invite"]) { site in
            #expect(try await site.visitor().get("/accounts/signup").status == 403)
            let outsider = site.visitor()
            try await outsider.get("/accounts/login")
            #expect(try await outsider.post("/accounts/signup", [("email", "x@example.com"), ("password", "correct horse"),
                                                                 ("password2", "correct horse")]).status == 403)
            _ = try await site.createUser("root@example.com", staff: true)
            let staff = site.visitor()
            try await staff.logIn("root@example.com")
            try await staff.get("/staff/users")
            #expect(try await staff.post("/staff/users/invite", [("email", "ivy@example.com"), ("make_staff", "on")]).status == 303)
            try await staff.get("/staff/users")
            #expect(try await staff.post("/staff/users/invite", [("email", "root@example.com")]).status == 303)  // has an account
            let mail = try #require(try await sink.waitForMessages(1).first)
            #expect(mail.rcptTos == ["ivy@example.com"])
            let link = try Self.link(mail, "/accounts/invite/")
            let stored = try await site.database.read { db in try Invitation.query().all(db) }
            #expect(stored.count == 1)
            #expect(!stored[0].tokenHash.contains(String(link.split(separator: "/").last!)))  // only a hash is kept

            let invitee = site.visitor()
            let form = try await invitee.get(link)
            #expect(form.status == 200)
            #expect(form.text.contains("ivy@example.com"))
            // The email is the invitation's, whatever is posted.
            let accepted = try await invitee.post(link, [("email", "evil@example.com"), ("display_name", "Ivy"),
                                                          ("password", "correct horse"), ("password2", "correct horse")])
            #expect(accepted.header("Location") == "/notes")
            let ivy = try #require(try await Self.user(site, "ivy@example.com"))
            #expect(ivy.isStaff)
            #expect(ivy.emailVerifiedAt != nil)
            #expect(try await Self.user(site, "evil@example.com") == nil)
            #expect(try await site.visitor().get(link).status == 404)  // used once
            let reuse = site.visitor()
            try await reuse.get("/accounts/login")
            #expect(try await reuse.post(link, [("password", "correct horse"), ("password2", "correct horse")]).status == 404)

            // Staff rights come only from an inviter who still has them; a revoked invitation is dead.
            try await staff.get("/staff/users")
            #expect(try await staff.post("/staff/users/invite", [("email", "sly@example.com"), ("make_staff", "on")]).status == 303)
            try await staff.get("/staff/users")
            #expect(try await staff.post("/staff/users/invite", [("email", "gone@example.com")]).status == 303)
            let later = try await sink.waitForMessages(3)
            let slyLink = try Self.link(try #require(later.first { $0.rcptTos == ["sly@example.com"] }), "/accounts/invite/")
            let goneLink = try Self.link(try #require(later.first { $0.rcptTos == ["gone@example.com"] }), "/accounts/invite/")
            let page = try await staff.get("/staff/users")
            #expect(page.text.contains("Pending invitations"))
            let goneID = try await site.database.read { db in try Invitation.query().where("email = ?", "gone@example.com").first(db)?.id }
            #expect(try await staff.post("/staff/invitations/\(try #require(goneID))/revoke").status == 303)
            #expect(try await site.visitor().get(goneLink).status == 404)
            try await site.database.write { db in try db.execute("UPDATE users SET is_staff = 0 WHERE email = 'root@example.com'") }
            let sly = site.visitor()
            try await sly.get(slyLink)
            #expect(try await sly.post(slyLink, [("password", "correct horse"), ("password2", "correct horse")]).status == 303)
            #expect(try await Self.user(site, "sly@example.com")?.isStaff == false)

            // An expired invitation is refused.
            let expired = try await site.database.write { db -> String in
                var (invitation, token) = Invitation.make(email: "late@example.com", invitedBy: nil, makeStaff: false, validFor: 60)
                invitation.expiresAt = Date().addingTimeInterval(-1)
                try invitation.insert(db)
                return token
            }
            #expect(try await site.visitor().get("/accounts/invite/\(expired)").status == 404)
            #expect(try await site.visitor().get("/accounts/invite/nonsense").status == 404)
        }
    }

    @Test func withSignupClosedOnlyStaffCreateAccounts() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        try await PasswordResetTests.withSite(sink, environment: ["SIGNUP": "closed", "ACCOUNT_EMAIL_VERIFICATION": "mandatory"]) { site in
            #expect(try await site.visitor().get("/accounts/signup").text.contains("Sign-up is closed"))
            _ = try await site.createUser("root@example.com", staff: true)
            let staff = site.visitor()
            try await staff.logIn("root@example.com")
            try await staff.get("/staff/users")
            #expect(try await staff.post("/staff/users/invite", [("email", "ivy@example.com")]).status == 303)
            #expect(try await site.database.read { db in try Invitation.query().count(db) } == 0)

            let newPage = try await staff.get("/staff/users/new")
            #expect(newPage.status == 200, "\(newPage.status) \(newPage.text.prefix(3000))")
            #expect(try await staff.post("/staff/users/new", [("email", "bad"), ("display_name", "")]).status == 422)
            #expect(try await staff.post("/staff/users/new", [("email", "nora@example.com"), ("display_name", "Nora")]).status == 303)
            let mail = try #require(try await sink.waitForMessages(1).first)
            #expect(mail.subject == "Reset your password")
            // Nora chooses her password through the link; following it also confirms her address.
            let nora = site.visitor()
            let opened = try await nora.get(try Self.link(mail, "/accounts/password/reset/"))
            let setPassword = try #require(opened.header("Location"))
            try await nora.get(setPassword)
            #expect(try await nora.post(setPassword, [("new_password", "nora's words"), ("new_password2", "nora's words")]).status == 303)
            #expect(try await site.visitor().logIn("nora@example.com", password: "nora's words").status == 303)
        }
    }

    @Test func staffRunTheUserLifecycleAndOthersGetNotFound() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        try await PasswordResetTests.withSite(sink) { site in
            let root = try await site.createUser("root@example.com", staff: true)
            let sam = try await site.createUser("sam@example.com")
            let samID = try #require(sam.id)
            let member = site.visitor()
            try await member.logIn("sam@example.com")
            for path in ["/staff/users/new", "/staff/users/\(samID)/edit", "/staff/users/\(samID)/delete", "/staff/audit"] {
                #expect(try await member.get(path).status == 404, "\(path)")
            }
            try await member.get("/accounts/profile")
            for path in ["/staff/users/invite", "/staff/users/new", "/staff/users/\(samID)/edit", "/staff/users/\(samID)/reset",
                         "/staff/users/\(samID)/delete"] {
                #expect(try await member.post(path, [("email", "x@example.com"), ("confirm", "sam@example.com")]).status == 404, "\(path)")
            }
            #expect(try await Self.user(site, "sam@example.com") != nil)

            let staff = site.visitor()
            try await staff.logIn("root@example.com")
            #expect(try await staff.get("/staff/users/\(samID)/edit").status == 200)
            #expect(try await staff.post("/staff/users/\(samID)/edit", [("email", "sam@example.org"), ("display_name", "Sam"),
                                                                         ("is_active", "on"), ("is_staff", "on")]).status == 303)
            let edited = try #require(try await Self.user(site, "sam@example.org"))
            #expect(edited.isStaff && edited.displayName == "Sam" && edited.emailVerifiedAt == nil)
            _ = try await sink.waitForMessages(1)  // the new address is sent a confirmation link
            // Root cannot remove their own rights, from the edit page or the list.
            try await staff.get("/staff/users")
            #expect(try await staff.post("/staff/users/\(try #require(root.id))/edit", [("email", "root@example.com"),
                                                                                     ("is_active", "on")]).status == 422)
            #expect(try await Self.user(site, "root@example.com")?.isStaff == true)
            try await staff.get("/staff/users")
            #expect(try await staff.post("/staff/users/\(samID)/reset").status == 303)
            let reset = try await sink.waitForMessages(2)
            #expect(reset[1].subject == "Reset your password")
            #expect(reset[1].rcptTos == ["sam@example.org"])

            // Delete: a confirmation page, the email typed, the notes go with the account, the events stay.
            try await site.database.write { db in
                var note = Note(ownerID: samID, title: "Sam's", body: "")
                try note.insert(db)
            }
            let confirm = try await staff.get("/staff/users/\(samID)/delete")
            #expect(confirm.text.contains("1 note"))
            #expect(try await staff.post("/staff/users/\(samID)/delete", [("confirm", "someone else")]).status == 303)
            #expect(try await Self.user(site, "sam@example.org") != nil)
            try await staff.get("/staff/users")
            #expect(try await staff.post("/staff/users/\(samID)/delete", [("confirm", "SAM@example.org")]).status == 303)
            #expect(try await Self.user(site, "sam@example.org") == nil)
            #expect(try await site.database.read { db in try Note.query().count(db) } == 0)
            let events = try await site.database.read { db in try AuditEvent.query().where("action = ?", "staff.user_delete").all(db) }
            #expect(events.map(\.target) == ["sam@example.org"])
            try await staff.get("/staff/users")
            #expect(try await staff.post("/staff/users/\(try #require(root.id))/delete", [("confirm", "root@example.com")]).status == 303)
            #expect(try await Self.user(site, "root@example.com") != nil)  // not yourself
        }
    }

    @Test func aChangeMadeFromAStaleRowNeverUndoesOneMadeMeanwhile() async throws {
        try await LiveSite.with { site in
            let before = try await site.createUser("pat@example.com")
            let id = try #require(before.id)
            // A reset lands (new hash) while another request still holds the row it read before.
            try await site.database.write { db in try db.execute("UPDATE users SET password_hash = 'reset' WHERE id = ?", id) }
            let stale = try await site.database.write { db in
                try User.change(id, set: ["display_name": "Pat"], ifPasswordHash: before.passwordHash, in: db)
            }
            #expect(stale == nil)
            let fresh = try await site.database.write { db in try User.change(id, set: ["display_name": "Pat"], in: db) }
            #expect(fresh?.displayName == "Pat")
            #expect(fresh?.passwordHash == "reset")  // the other columns are the row's, not the old copy's
            // One validator: what an account may have is what the mailer can send to.
            for bad in ["a<victim@x.com>", "a(b)@x.com", "zoë@example.com", "a,b@x.com"] {
                #expect(Accounts.validateEmail(bad) != nil, "\(bad)")
            }
        }
    }

    @Test func theLastActiveStaffAccountCannotBeDemotedDeactivatedOrDeleted() async throws {
        try await LiveSite.with { site in
            _ = try await site.createUser("root@example.com", staff: true)
            let ops = try await site.createUser("ops@example.com", staff: true)
            func last(_ email: String) async throws -> Bool {
                try await site.database.read { db in
                    guard let user = try User.find(email: email, in: db) else { return false }
                    return try StaffUsersController.isLastActiveStaff(user, in: db)
                }
            }
            #expect(try await !last("root@example.com"))
            #expect(try await !last("ops@example.com"))
            // Ops is demoted elsewhere (another staff member's request, committed first): root is now the last.
            try await site.database.write { db in try db.execute("UPDATE users SET is_staff = 0 WHERE id = ?", ops.id) }
            #expect(try await last("root@example.com"))
            #expect(try await !last("ops@example.com"))
            // A deactivated staff account does not count as one that can still sign in.
            try await site.database.write { db in try db.execute("UPDATE users SET is_staff = 1, is_active = 0 WHERE id = ?", ops.id) }
            #expect(try await last("root@example.com"))
        }
    }
}
