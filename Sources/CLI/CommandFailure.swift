/// A command-line failure: ArgumentParser prints `Error: <message>` and the process exits with status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) {
        description = message
    }
}
