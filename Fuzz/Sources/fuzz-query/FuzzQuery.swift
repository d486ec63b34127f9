// fuzz-query: the request target (path, query string, `Request.query`, `queryValue`), routing and path
// parameters (`Router.match`, `parameter`), and `HTTPHeaders` lookups.
//
// Input layout: the first line is the request target; each further line is a header field `name: value`
// (split at the first colon; a line without one is a name with an empty value).
import Croft
import FuzzSupport

/// The starter site's shapes of route: literals, `:id` parameters, and a catch-all like `/static/*path`.
let router: Router = {
    let router = RouterBuilder()
    let ok: Handler = { _ in Response() }
    do {
        try router.get("/", name: "home", ok)
        try router.get("/notes", name: "notes", ok)
        try router.get("/notes/:id", name: "note.detail", ok)
        try router.post("/notes/:id/delete", name: "note.delete", ok)
        try router.get("/staff/users/:id", name: "staff.user", ok)
        try router.get("/static/*path", name: "static", ok)
    } catch {
        fatalError("fuzz-query: the harness's own routes do not register: \(error)")
    }
    return router.build()
}()

/// `queryValue(name, as: T.self)`: nil when absent or empty, the converted value when `T` parses it, else a 400.
func checkQueryValue<T: LosslessStringConvertible>(_ request: Request, _ name: String, as type: T.Type) {
    let raw = request.query[name]
    do {
        let value = try request.queryValue(name, as: T.self)
        if let raw, !raw.isEmpty {
            invariant(value?.description == T(raw)?.description, "queryValue(\(name)) is not \(T.self)(\"\(raw)\")")
        } else {
            invariant(value == nil, "queryValue(\(name)) has a value for an absent or empty parameter")
        }
    } catch {
        invariant((error as? HTTPError)?.status.code == 400, "queryValue(\(name)) threw \(error), not a 400")
        invariant(raw.map { !$0.isEmpty && T($0) == nil } ?? false, "queryValue(\(name)) refused a valid \(T.self)")
    }
}

/// `parameter(name, as: T.self)`: a 400 when missing or malformed, never a trap.
func checkParameter<T: LosslessStringConvertible>(_ request: Request, _ name: String, as type: T.Type) {
    do {
        let value = try request.parameter(name, as: T.self)
        invariant(request.parameters[name].flatMap { T($0)?.description } == value.description,
                  "parameter(\(name)) is not \(T.self) of the path parameter")
    } catch {
        invariant((error as? HTTPError)?.status.code == 400, "parameter(\(name)) threw \(error), not a 400")
    }
}

func checkTarget(_ request: Request) {
    let target = request.target
    if let query = request.queryString {
        invariant(String(request.path) + "?" + query == target, "path and query string do not make up the target")
    } else {
        invariant(request.path == target[...], "a target without a query string is not all path")
    }
    let query = request.query
    if request.queryString == nil { invariant(query.isEmpty, "query parameters without a query string") }
    checkQueryValue(request, "page", as: Int.self)
    checkQueryValue(request, "id", as: Int64.self)
    checkQueryValue(request, "n", as: UInt8.self)
    checkQueryValue(request, "q", as: String.self)
    checkQueryValue(request, "x", as: Double.self)
    checkQueryValue(request, "b", as: Bool.self)
    for name in query.keys.prefix(4) { checkQueryValue(request, name, as: Int.self) }

    for method in [HTTPMethod.get, .head, .post, HTTPMethod("PURGE")] {
        switch router.match(method, path: request.path) {
        case .found(let route, let parameters):
            var routed = request
            routed.parameters = parameters
            checkParameter(routed, "id", as: Int64.self)
            checkParameter(routed, "id", as: Int.self)
            checkParameter(routed, "path", as: String.self)
            checkParameter(routed, "missing", as: Int.self)
            // Reversing the route with the decoded parameter finds the same route and the same value again.
            if let name = route.name, let id = parameters["id"] {
                do {
                    let path = try router.url(for: name, ["id": id])
                    guard case .found(let again, let parametersAgain) = router.match(method, path: path) else {
                        invariant(false, "url(for: \(name)) gave \(path), which does not route")
                        return
                    }
                    invariant(again.name == name && parametersAgain["id"] == id,
                              "url(for: \(name), id: \(describe(Array(id.utf8)))) gave \(path), which routes elsewhere")
                } catch {
                    invariant(false, "url(for: \(name)) refused the parameters it matched: \(error)")
                }
            }
        case .methodNotAllowed(let allowed):
            invariant(!allowed.isEmpty && !allowed.contains(method), "405 listing \(allowed) for \(method)")
        case .notFound:
            break
        }
    }
}

/// Lookups agree with each other and with edits, whatever the names: ASCII case is ignored, nothing else.
func checkHeaders(_ fields: [(String, String)]) {
    let headers = HTTPHeaders(fields)
    invariant(headers.count == fields.count, "HTTPHeaders lost fields")
    for (name, _) in fields.prefix(8) {
        let first = headers[name]
        invariant(first != nil && headers.contains(name), "a field is not found by its own name")
        invariant(headers.values(for: name).first == first, "values(for:) and subscript disagree on \(name)")
        let upper = String(decoding: name.utf8.map { (97...122).contains($0) ? $0 - 32 : $0 }, as: UTF8.self)
        invariant(headers[upper] == first && headers.values(for: upper) == headers.values(for: name),
                  "ASCII case changes the lookup of \(describe(Array(name.utf8)))")
        var edited = headers
        edited.replaceOrAdd(name: upper, value: "replaced")
        invariant(edited[name] == "replaced" && edited.values(for: name) == ["replaced"],
                  "replaceOrAdd left other values for \(describe(Array(name.utf8)))")
        invariant(edited.count == headers.count - headers.values(for: name).count + 1, "replaceOrAdd miscounted")
        edited.remove(name: name)
        invariant(!edited.contains(upper) && edited[name] == nil, "remove left \(describe(Array(name.utf8)))")
    }
    for token in ["close", "keep-alive", "chunked"] {
        _ = headers.containsToken(token, in: "Connection")
        _ = headers.containsToken(token, in: "Transfer-Encoding")
    }
    let request = Request(method: .get, target: "/", version: .http1_1, headers: headers)
    invariant(request.wantsKeepAlive == !headers.containsToken("close", in: "Connection"), "HTTP/1.1 keep-alive rule")
    _ = Request(method: .get, target: "/", version: .http1_0, headers: headers).wantsKeepAlive
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let all = lines(input.payload)
    let targetBytes = all.first ?? []
    var fields: [(String, String)] = []
    for line in all.dropFirst() {
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            fields.append((text(line[..<colon]), text(line[(colon + 1)...])))
        } else {
            fields.append((text(line), ""))
        }
    }

    // Any text, as a test or middleware could build it.
    checkTarget(Request(method: .get, target: text(targetBytes), headers: HTTPHeaders(fields)))
    checkHeaders(fields)

    // What the parser lets through: the same target on a request line (absolute form is reduced to a path).
    var parser = HTTPRequestParser()
    parser.append(Array("GET ".utf8) + Array(targetBytes) + Array(" HTTP/1.1\r\nHost: fuzz\r\n\r\n".utf8))
    if case .head(let head)? = try? parser.next() {
        invariant(head.target.hasPrefix("/"), "the parser let through a GET target not starting with /: \(head.target)")
        checkTarget(Request(method: head.method, target: head.target, version: head.version, headers: head.headers))
    }
    return 0
}

/// `main`, as SwiftPM links it (see `libFuzzerMain`).
@_cdecl("fuzz_query_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    libFuzzerMain(argc, argv, fuzz)
}
