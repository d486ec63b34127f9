import CroftTemplates
import Foundation
import Mustache
import Stencil

/// Stencil loader that parses each template once, as a production setup would.
final class CachingStencilLoader: Loader {
    private let sources: [String: String]
    private var parsed: [String: Stencil.Template] = [:]

    init(_ sources: [String: String]) {
        self.sources = sources
    }

    func loadTemplate(name: String, environment: Stencil.Environment) throws -> Stencil.Template {
        if let template = parsed[name] { return template }
        guard let source = sources[name] else { throw TemplateDoesNotExist(templateNames: [name]) }
        let template = environment.templateClass.init(templateString: source, environment: environment, name: name)
        parsed[name] = template
        return template
    }
}

@main
struct TemplateBenchmark {
    static func main() throws {
        let quick = CommandLine.arguments.contains("--quick")
        let seconds = quick ? 0.3 : 1.5
        print("Template engines, renders per second (higher is better), \(seconds)s per measurement\n")

        let croft = TemplateEnvironment(loader: CroftTemplates.DictionaryLoader([
            "base.html": Pages.fortunesBase, "fortunes.html": Pages.fortunes,
            "dash_base.html": Pages.dashboardBase, "dashboard.html": Pages.dashboard,
        ]))
        let stencilExtension = Extension()
        stencilExtension.registerFilter("escape") { (value: Any?) in
            guard let value else { return "" }
            return escapeHTML(String(describing: value))
        }
        let stencil = Stencil.Environment(loader: CachingStencilLoader([
            "base.html": Pages.stencil(Pages.fortunesBase), "fortunes.html": Pages.stencil(Pages.fortunes),
            "dash_base.html": Pages.stencil(Pages.dashboardBase), "dashboard.html": Pages.stencil(Pages.dashboard),
        ]), extensions: [stencilExtension])
        var mustache = MustacheLibrary()
        try mustache.register(Pages.mustacheFortunesBase, named: "base")
        try mustache.register(Pages.mustacheFortunes, named: "fortunes")
        try mustache.register(Pages.mustacheDashboardBase, named: "dash_base")
        try mustache.register(Pages.mustacheDashboard, named: "dashboard")

        for (page, name, mustacheName, context) in [
            ("Fortunes (13 rows, extends + block)", "fortunes.html", "fortunes", BenchmarkData.fortunesAny),
            ("Dashboard (50 rows, nested loops, ifs)", "dashboard.html", "dashboard", BenchmarkData.dashboardAny),
        ] {
            guard case .dictionary(let croftContext) = BenchmarkData.templateValue(context) else { fatalError() }
            let outputs = [
                try croft.render(name, context: croftContext),
                try stencil.renderTemplate(name: name, context: context),
                mustache.render(context, withTemplate: mustacheName) ?? "",
            ]
            for output in outputs where !output.contains("&lt;") || output.contains("<script>") || output.contains("<em>") {
                fatalError("an engine did not escape its output:\n\(output)")
            }
            print("\(page): output bytes croft \(outputs[0].utf8.count), stencil \(outputs[1].utf8.count), mustache \(outputs[2].utf8.count)")
            let croftRate = measure(seconds) { try! croft.render(name, context: croftContext) }
            let stencilRate = measure(seconds) { try! stencil.renderTemplate(name: name, context: context) }
            let mustacheRate = measure(seconds) { mustache.render(context, withTemplate: mustacheName) ?? "" }
            report("CroftTemplates", croftRate, croftRate)
            report("Stencil 0.15.1", stencilRate, croftRate)
            report("swift-mustache 2.1.1", mustacheRate, croftRate)
            if name == "fortunes.html" {
                let encodedRate = measure(seconds) {
                    try! croft.render(name, encoding: FortunesPage(fortunes: BenchmarkData.fortunes))
                }
                report("CroftTemplates +Encodable ctx", encodedRate, croftRate)
                print("    (+Encodable: the context is encoded from Swift structs on every render)")
            }
            print()
        }
    }

    static func measure(_ seconds: Double, _ body: () -> String) -> Double {
        var bytes = 0
        for _ in 0..<50 { bytes &+= body().utf8.count }
        let clock = ContinuousClock()
        let start = clock.now
        var iterations = 0
        var batch = 16
        while true {
            for _ in 0..<batch { bytes &+= body().utf8.count }
            iterations += batch
            let elapsed = clock.now - start
            let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if elapsedSeconds >= seconds {
                if bytes == 42 { print("") }
                return Double(iterations) / elapsedSeconds
            }
            batch = min(batch * 2, 4096)
        }
    }

    static func report(_ engine: String, _ rate: Double, _ croftRate: Double) {
        let padded = engine.padding(toLength: 30, withPad: " ", startingAt: 0)
        let ratio = croftRate / rate
        print("  \(padded) \(String(format: "%10.0f", rate)) renders/s   croft is \(String(format: "%.2f", ratio))x")
    }

    static func escapeHTML(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#x27;"
            default: output.unicodeScalars.append(character)
            }
        }
        return output
    }
}
