import App
import ArgumentParser
import Croft

/// `app routes`: print the route table.
struct Routes: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every route: method, path and name.")

    func run() throws {
        let app = try Site.makeApplication(settings: Settings())
        let rows = app.router.routes.map { [$0.method.rawValue, $0.pattern, $0.name ?? ""] }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        print("METHOD".padding(toLength: max(widths[0], 6), withPad: " ", startingAt: 0) + "  "
              + "PATH".padding(toLength: max(widths[1], 4), withPad: " ", startingAt: 0) + "  NAME")
        for row in rows {
            print(row[0].padding(toLength: max(widths[0], 6), withPad: " ", startingAt: 0) + "  "
                  + row[1].padding(toLength: max(widths[1], 4), withPad: " ", startingAt: 0) + "  " + row[2])
        }
    }
}
