import Foundation

/// Reading answers on the terminal for interactive commands.
enum Prompt {
    /// Asks a question and reads one line; nil at end of input.
    static func line(_ question: String) -> String? {
        print(question, terminator: "")
        fflush(nil)
        return readLine(strippingNewline: true)
    }

    /// Reads a secret without echoing it when standard input is a terminal.
    static func secret(_ question: String) -> String? {
        print(question, terminator: "")
        fflush(nil)
        guard isatty(STDIN_FILENO) == 1 else { return readLine(strippingNewline: true) }
        var original = termios()
        tcgetattr(STDIN_FILENO, &original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            print("")
        }
        return readLine(strippingNewline: true)
    }

    /// Asks for a new password twice until both match and it passes the rules; nil at end of input.
    static func newPassword(email: String, validate: (String) -> String?) -> String? {
        while true {
            guard let first = secret("Password: "), let second = secret("Password (again): ") else { return nil }
            if first != second {
                print("The two passwords do not match. Try again.")
                continue
            }
            if let problem = validate(first) {
                print(problem + " Try again.")
                continue
            }
            return first
        }
    }
}
