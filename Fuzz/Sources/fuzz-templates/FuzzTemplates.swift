// fuzz-templates: the template lexer, parser and renderer (CroftTemplates), on any template source.
//
// Input layout: the whole input is the source of one template, as UTF-8 text. It is rendered with the
// context, loader and URL resolver of Tests/CroftTemplatesTests/FuzzTests.swift (inheritance, includes, a
// self-including template), so tags, filters and their arguments all get values. Rendering may throw a
// TemplateError; any other error, or a trap, is a bug.
import Croft
import FuzzSupport

let environment = TemplateEnvironment(
    loader: DictionaryLoader([
        "base.html": "[{% block b %}base{% endblock %}]",
        "part.html": "<{{ x }}>",
        "loop.html": "{% include \"loop.html\" %}",
    ]),
    urlResolver: { name, arguments in "/" + name + "/" + arguments.map { "\($0)" }.joined(separator: "/") })

let context: [String: TemplateValue] = [
    "x": "<x>", "y": 0, "n": -9_223_372_036_854_775_808, "big": 9_223_372_036_854_775_807, "f": 1e308,
    "items": [1, "two", 3.5, nil, ["k": "v"]], "user": ["name": "Ada"], "d": ["k": [1, 2]], "csrf_token": "t",
    "empty": [], "text": "Hello, wörld & <friends>",
    "html": "<p>One <b>two &amp; three</b> <!-- c --> four<br/>five</p>", "links": "(see www.x.org.) a@b.com http://[::1]/x",
    "request": ["query_string": "a=1&b=%zz&&a=&=", "GET": .queryFields("a=1&b=%zz&&a=&=")],
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = text(FuzzInput(data, size).payload)
    do {
        _ = try environment.render(source: source, name: "fuzz.html", context: context)
    } catch is TemplateError {
        // A refusal with a message: what a bad template should get.
    } catch {
        invariant(false, "rendering threw \(type(of: error)), not a TemplateError: \(error)")
    }
    return 0
}

/// `main`, as SwiftPM links it (see `libFuzzerMain`).
@_cdecl("fuzz_templates_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    libFuzzerMain(argc, argv, fuzz)
}
