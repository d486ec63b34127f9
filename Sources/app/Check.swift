import App
import ArgumentParser
import Croft

/// `app check --deploy`: list every setting that is unsafe for production; non-zero exit when any is found.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the deployment: `--deploy` lists every unsafe production setting.")

    @Flag(help: "Check the settings for production use (DEBUG, SECRET_KEY, ALLOWED_HOSTS, proxies, ...).")
    var deploy = false

    func run() throws {
        guard deploy else { throw ValidationError("Say what to check: `app check --deploy`.") }
        let findings = DeploymentChecks.run(Settings())
        for finding in findings { print(finding) }
        guard findings.isEmpty else {
            print("\(findings.count) issue(s) found.")
            throw ExitCode.failure
        }
        print("no issues found")
    }
}
