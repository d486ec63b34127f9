// fuzz-static-files: what `StaticFiles` decodes from a request: the path under `/static/` (percent-decoding,
// `..`, dotfiles, NUL, symlinks), `Range`, `If-None-Match`, `If-Modified-Since` and `If-Range`
// (`HTTPDate.parse`).
//
// Input layout: the first line is what follows `/static/` in the target (query string included); each further
// line is a header field `name: value` (split at the first colon).
//
// The served directory is made once per process under /tmp, shaped like Tests/CroftTests/StaticFilesTests:
// files inside, a dotfile, symlinks inside and out, and secrets next to it. Whatever the input, a response
// carries the bytes of a file inside, or a slice of one that matches its Content-Range, and nothing else.
#if canImport(Glibc)
import Glibc
#endif
import Croft
import FuzzSupport

/// The files that may be served, by path under the root, with their contents.
let servable: [String: [UInt8]] = [
    "digits.txt": Array("0123456789".utf8),
    "css/app.css": Array("body { color: red }".utf8),
]

/// The served root (a real path), made on first use.
let root: String = {
    var template = Array("/tmp/croft-fuzz-static-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("fuzz-static-files: cannot create a directory in /tmp") }
    let base = String(cString: made)
    let root = base + "/Public"
    func write(_ path: String, _ text: String) {
        guard let file = fopen(path, "w") else { fatalError("fuzz-static-files: cannot write \(path)") }
        fputs(text, file)
        fclose(file)
    }
    mkdir(root, 0o700)
    mkdir(root + "/css", 0o700)
    mkdir(base + "/outside", 0o700)
    for (path, bytes) in servable { write(root + "/" + path, String(decoding: bytes, as: UTF8.self)) }
    write(root + "/.env", "KEY=SECRET")
    write(base + "/private.txt", "SECRET")
    write(base + "/outside/secret.txt", "SECRET")
    symlink(root + "/digits.txt", root + "/inside.txt")
    symlink(base + "/outside/secret.txt", root + "/escape.txt")
    symlink(base + "/outside", root + "/linked")
    guard let real = realpath(root, nil) else { fatalError("fuzz-static-files: no real path for \(root)") }
    defer { free(real) }
    atexit { removeRoot() }
    return String(cString: real)
}()

/// Removes what `root` made (a run that crashes leaves its few bytes in /tmp).
func removeRoot() {
    let base = String(root.dropLast("/Public".count))
    for path in servable.keys.map({ root + "/" + $0 }) + [
        root + "/.env", root + "/inside.txt", root + "/escape.txt", root + "/linked",
        base + "/private.txt", base + "/outside/secret.txt",
    ] { unlink(path) }
    for directory in [root + "/css", root, base + "/outside", base] { rmdir(directory) }
}

let files: StaticFiles = StaticFiles(directory: root)

let router: Router = {
    let router = RouterBuilder()
    do {
        try router.get("/static/*path", name: "static") { _ in Response() }
    } catch {
        fatalError("fuzz-static-files: the harness's own route does not register: \(error)")
    }
    return router.build()
}()

/// `bytes a-b/size` -> (a, b, size).
func contentRange(_ value: String) -> (first: Int, last: Int, size: Int)? {
    guard value.hasPrefix("bytes ") else { return nil }
    let parts = value.dropFirst(6).split(separator: "/")
    guard parts.count == 2, let size = Int(parts[1]) else { return nil }
    let ends = parts[0].split(separator: "-")
    guard ends.count == 2, let first = Int(ends[0]), let last = Int(ends[1]) else { return nil }
    return (first, last, size)
}

func checkResponse(_ response: Response, method: HTTPMethod, input: [UInt8]) {
    let secret = Array("SECRET".utf8)
    var body: [UInt8] = []
    switch response.body {
    case .bytes(let bytes): body = bytes
    case .empty: break
    case .stream(let stream):
        invariant(method == .head, "a small file was streamed to a GET")
        invariant(stream.length != nil, "a HEAD answer without a length")
    }
    invariant(!body.isEmpty || method == .head || response.status.code != 200 || servable.values.contains([]),
              "an empty 200")
    invariant(body.count < secret.count || !(0...(body.count - secret.count)).contains { Array(body[$0..<($0 + secret.count)]) == secret },
              "served a secret for \(describe(input))")
    switch response.status.code {
    case 200:
        if method == .get {
            invariant(servable.values.contains(body), "a 200 whose body is no servable file: \(describe(body))")
        }
    case 206:
        guard let range = response.headers["Content-Range"].flatMap(contentRange) else {
            invariant(false, "a 206 without a valid Content-Range: \(response.headers)")
            return
        }
        invariant(range.first >= 0 && range.first <= range.last && range.last < range.size,
                  "Content-Range \(range) out of order")
        guard let file = servable.values.first(where: { $0.count == range.size }) else {
            invariant(false, "Content-Range size \(range.size) is no servable file's")
            return
        }
        if method == .get {
            invariant(body == Array(file[range.first...range.last]), "a 206 body that is not the range \(range)")
        }
    case 416:
        invariant(response.headers["Content-Range"]?.hasPrefix("bytes */") == true, "a 416 without bytes */size")
    case 304:
        invariant(body.isEmpty, "a 304 with a body")
    default:
        invariant(false, "status \(response.status.code) from StaticFiles")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let all = lines(input.payload)
    var headers = HTTPHeaders()
    for line in all.dropFirst() {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
        // The parser leaves values without surrounding spaces and tabs (OWS).
        let value = text(line[(colon + 1)...].drop { $0 == 32 || $0 == 9 }.reversed().drop { $0 == 32 || $0 == 9 }.reversed())
        headers.add(name: text(line[..<colon]), value: value)
        // The date parser on its own, on every value: a date it reads formats and reads back the same.
        if let seconds = HTTPDate.parse(value), (0...253_402_300_799).contains(seconds) {
            invariant(HTTPDate.parse(HTTPDate.format(epochSeconds: seconds)) == seconds,
                      "HTTPDate round trip changed \(seconds) (from \(describe(Array(value.utf8))))")
        }
    }
    let target = "/static/" + text(all.first ?? [])
    for method in [HTTPMethod.get, .head] {
        let request = Request(method: method, target: target, headers: headers)
        // What Application.serveStatic does: the router's catch-all, then the files.
        guard case .found(_, let parameters) = router.match(method, path: request.path) else { continue }
        if let response = files.response(for: request, relativePath: parameters["path"] ?? "") {
            checkResponse(response, method: method, input: input.payload)
        }
    }
    return 0
}

/// `main`, as SwiftPM links it (see `libFuzzerMain`).
@_cdecl("fuzz_static_files_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    libFuzzerMain(argc, argv, fuzz)
}
