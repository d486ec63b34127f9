import CroftTemplates
import Foundation
import Testing

/// Numbers that reach filters from user data (a string that parses as Int.min, a huge timestamp) never trap.
struct UntrustedNumbersTests {
    @Test func divisibleByNeverOverflows() throws {
        // Int.min % -1 overflows: it trapped for a value "-9223372036854775808" typed by a user.
        #expect(try render("{{ n|divisibleby:-1 }}", ["n": "-9223372036854775808"]) == "True")
        #expect(try render("{{ n|divisibleby:\"-1\" }}", ["n": .int(Int.min)]) == "True")
        #expect(try render("{{ n|divisibleby:3 }}", ["n": 10]) == "False")
    }

    @Test func unixTimeOfAFarDateIsNotATrap() throws {
        #expect(try render("{{ n|date:\"U\" }}", ["n": .int(Int.max)]) == "0")
        #expect(try render("{{ n|date:\"U\" }}", ["n": 86400]) == "86400")
    }
}
