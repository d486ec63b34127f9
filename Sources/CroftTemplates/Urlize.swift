import CroftCore
import Foundation

/// `urlize` and `urlizetrunc`: links for the URLs and email addresses in plain text, as Django 5.2's
/// `Urlizer` makes them.
///
/// A word (text between white space, `<`, `>`, `"` and `'`) becomes a link when, once the punctuation
/// around it is trimmed, it starts with `http://` or `https://`, starts with `www.`, ends in one of the
/// seven original top-level domains (`.com`, `.edu`, `.gov`, `.int`, `.mil`, `.net`, `.org`), or is an
/// email address Django's `EmailValidator` accepts. Links get `rel="nofollow"` (email links do not); the
/// URL is quoted as Django's `smart_urlquote` quotes it.
enum Urlize {
    /// The longest word tried as a URL (Django's `MAX_URL_LENGTH`).
    static let maximumURLLength = 2048

    /// `text` with its URLs and addresses as links. `trimTo` shortens the text of a link to that many
    /// characters (with `…`); `escape` escapes what is not a link and the link text, unless `safe`.
    static func urlize(_ text: String, trimTo limit: Int? = nil, escape: Bool, safe: Bool) -> String {
        var output = ""
        var cache: [Substring: String] = [:]
        for piece in pieces(text) {
            if let done = cache[piece] {
                output += done
                continue
            }
            let done = word(String(piece), trimTo: limit, escape: escape && !safe)
            cache[piece] = done
            output += done
        }
        return output
    }

    /// Python's `re.split(r"""([\s<>"']+)""", text)`: the words and, between them, the separators.
    private static func pieces(_ text: String) -> [Substring] {
        func separates(_ character: Character) -> Bool {
            character.isWhitespace || character == "<" || character == ">" || character == "\"" || character == "'"
        }
        var pieces: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            guard separates(text[index]) else {
                index = text.index(after: index)
                continue
            }
            var end = index
            while end < text.endIndex, separates(text[end]) { end = text.index(after: end) }
            pieces.append(text[start..<index])
            pieces.append(text[index..<end])
            start = end
            index = end
        }
        pieces.append(text[start...])
        return pieces
    }

    private static func word(_ word: String, trimTo limit: Int?, escape: Bool) -> String {
        func escaped(_ text: String) -> String { escape ? HTMLEscaping.escape(text) : text }
        guard word.contains(where: { $0 == "." || $0 == "@" || $0 == ":" }) else { return escaped(word) }
        var (lead, middle, trail) = trimPunctuation(word)
        var href: String?
        var nofollow = true
        if middle.count <= maximumURLLength, matches(simpleURL, middle) {
            href = quoteURL(HTMLEntities.unescape(middle))
        } else if middle.count <= maximumURLLength, matches(simpleURL2, middle) {
            href = quoteURL("http://" + HTMLEntities.unescape(middle))
        } else if !middle.contains(":"), isEmail(middle), let at = middle.lastIndex(of: "@") {
            let local = PercentEncoding.encode(middle[..<at])
            let domain = PercentEncoding.encode(middle[middle.index(after: at)...])
            href = "mailto:\(local)@\(domain)"
            nofollow = false
        }
        guard let href else { return escaped(word) }
        var shown = middle
        if let limit, shown.count > limit { shown = String(shown.prefix(max(0, limit - 1))) + "…" }
        if escape {
            lead = HTMLEscaping.escape(lead)
            trail = HTMLEscaping.escape(trail)
            shown = HTMLEscaping.escape(shown)
        }
        let rel = nofollow ? " rel=\"nofollow\"" : ""
        middle = "<a href=\"\(HTMLEscaping.escape(href))\"\(rel)>\(shown)</a>"
        return lead + middle + trail
    }

    /// Django's `Urlizer.trim_punctuation`: opening brackets before the word, unbalanced closing
    /// brackets and `.,:;!` after it (a `;` that ends an entity such as `&amp;` stays).
    static func trimPunctuation(_ word: String) -> (lead: String, middle: String, trail: String) {
        var middle = Array(word.drop { $0 == "(" || $0 == "[" })
        let lead = String(word.prefix(word.count - middle.count))
        var trail: [Character] = []
        let pairs: [(Character, Character)] = [("(", ")"), ("[", "]")]
        let initial = middle
        var counts: [Character: Int] = [:]
        func count(_ character: Character) -> Int {
            if let known = counts[character] { return known }
            let value = initial.count(where: { $0 == character })
            counts[character] = value
            return value
        }
        func stripped(_ characters: [Character], _ set: String) -> [Character] {
            var end = characters.count
            while end > 0, set.contains(characters[end - 1]) { end -= 1 }
            return Array(characters[..<end])
        }
        var trimmedSomething = true
        while trimmedSomething, !middle.isEmpty {
            trimmedSomething = false
            for (opening, closing) in pairs where count(opening) < count(closing) {
                guard middle.last == closing else { continue }
                let strip = min(count(closing) - count(opening), middle.count)
                trail = Array(middle.suffix(strip))
                middle.removeLast(strip)
                trimmedSomething = true
                counts[closing] = count(closing) - strip
            }
            let ampersand = middle.lastIndex(of: "&")
            let rstripped = stripped(middle, ampersand == nil ? ".,:;!" : ".,:!")
            if rstripped.count != middle.count {
                trail = Array(middle[rstripped.count...]) + trail
                middle = rstripped
                trimmedSomething = true
            }
            if middle.last == ";" {
                let potential = String(middle[(ampersand ?? (middle.count - 1))...])
                let decoded = HTMLEntities.unescape(potential)
                if decoded == potential || decoded.hasSuffix(";") {
                    let kept = stripped(middle, ".,:;!")
                    let trailStart = kept.count
                    let semicolons = middle.count - stripped(middle, ";").count
                    if ampersand != nil, semicolons > 1 {
                        // Up to the first of the trailing semicolons may end an entity: keep it.
                        let recent = middle[trailStart...].firstIndex(of: ";")!
                        let cut = recent + 1
                        trail = Array(middle[cut...]) + trail
                        middle = kept + Array(middle[trailStart..<cut])
                    } else {
                        trail = Array(middle[trailStart...]) + trail
                        middle = kept
                    }
                    trimmedSomething = true
                }
            }
        }
        return (lead, String(middle), String(trail))
    }

    // Django's patterns (django/utils/html.py, django/core/validators.py), in ICU's dialect.
    private static let simpleURL = regex(#"^https?://\[?\w"#)
    private static let simpleURL2 = regex(#"^www\.|^(?!http)\w[^@]+\.(com|edu|gov|int|mil|net|org)($|/.*)$"#)
    private static let emailUser = regex(
        #"(^[\-!#$%&'*+/=?\^_`{}|~0-9A-Z]+(\.[\-!#$%&'*+/=?\^_`{}|~0-9A-Z]+)*\z"#
            + #"|^"([\x{01}-\x{08}\x{0B}\x{0C}\x{0E}-\x{1F}!#-\[\]-\x{7F}]|\\[\x{01}-\x{09}\x{0B}\x{0C}\x{0E}-\x{7F}])*"\z)"#)
    private static let letters = #"a-z\x{A1}-\x{FFFF}"#
    private static let emailDomain = regex(
        "^[\(letters)0-9](?:[\(letters)0-9\\-]{0,61}[\(letters)0-9])?"
            + "(?:\\.(?!-)[\(letters)0-9\\-]{1,63}(?<!-))*"
            + "\\.(?!-)(?:[\(letters)\\-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)\\z")
    private static let emailLiteral = regex(#"^\[([A-F0-9:.]+)\]\z"#)

    private static func regex(_ pattern: String) -> NSRegularExpression {
        // The patterns are constants: a failure here is a programming error caught by every test run.
        try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
    }

    private static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        firstMatch(regex, text) != nil
    }

    private static func firstMatch(_ regex: NSRegularExpression, _ text: String) -> NSTextCheckingResult? {
        regex.firstMatch(in: text, options: [.anchored], range: NSRange(text.startIndex..., in: text))
    }

    /// Django's `EmailValidator(allowlist=[])`.
    static func isEmail(_ value: String) -> Bool {
        guard !value.isEmpty, value.count <= 320, let at = value.lastIndex(of: "@") else { return false }
        let user = String(value[..<at])
        let domain = String(value[value.index(after: at)...])
        guard matches(emailUser, user) else { return false }
        if matches(emailDomain, domain) { return true }
        guard let literal = firstMatch(emailLiteral, domain), let range = Range(literal.range(at: 1), in: domain) else {
            return false
        }
        return isIPv4(domain[range])  // an IPv6 literal has a ":", which urlize never takes for an address
    }

    /// A dotted quad of 0–255 without leading zeros, as Python's `ipaddress` reads IPv4.
    private static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && Int(part).map { $0 <= 255 } == true
                && (part.count == 1 || part.first != "0")
        }
    }

    /// Django's `smart_urlquote`: each part of the URL decoded and quoted again, keeping RFC 3986's
    /// delimiters; the query re-encoded as a form is.
    static func quoteURL(_ url: String) -> String {
        let delimiters = "!$&'()*+,;=:/?#[]@~"
        func requote(_ part: Substring) -> String {
            PercentEncoding.encode(PercentEncoding.decode(part), keeping: delimiters)
        }
        var rest = Substring(url)
        var scheme = ""
        if let colon = rest.firstIndex(of: ":"), colon > rest.startIndex, let first = rest.first, first.isASCII, first.isLetter,
           rest[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) {
            scheme = rest[..<colon].lowercased()
            rest = rest[rest.index(after: colon)...]
        }
        var netloc: Substring?
        if rest.hasPrefix("//") {
            let start = rest.index(rest.startIndex, offsetBy: 2)
            let end = rest[start...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
            netloc = rest[start..<end]
            rest = rest[end...]
            if let host = netloc, host.contains("[") != host.contains("]") || !validBracketedHost(host) {
                return requote(Substring(url))  // Python's urlsplit refuses it: the URL is quoted whole
            }
        }
        var fragment: Substring = ""
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[rest.index(after: hash)...]
            rest = rest[..<hash]
        }
        var query: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        let encodedQuery = query.split(separator: "&").map { field -> String in
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(PercentEncoding.decode(parts[0], plusAsSpace: true))
            let value = parts.count > 1 ? PercentEncoding.decode(PercentEncoding.decode(parts[1], plusAsSpace: true)) : ""
            return PercentEncoding.encodeFormComponent(name) + "=" + PercentEncoding.encodeFormComponent(value)
        }.joined(separator: "&")
        // urlunsplit
        var result = requote(rest)
        if let netloc {
            if !result.isEmpty, !result.hasPrefix("/") { result = "/" + result }
            result = "//" + requote(netloc) + result
        }
        if !scheme.isEmpty { result = scheme + ":" + result }
        if !encodedQuery.isEmpty { result += "?" + encodedQuery }
        if !fragment.isEmpty { result += "#" + requote(fragment) }
        return result
    }

    /// Python's check of a host in brackets: an IPv6 address (or an IPvFuture `v…` form).
    private static func validBracketedHost(_ netloc: Substring) -> Bool {
        guard let open = netloc.firstIndex(of: "["), let close = netloc[open...].firstIndex(of: "]") else { return true }
        let host = String(netloc[netloc.index(after: open)..<close])
        if host.hasPrefix("v") || host.hasPrefix("V") {
            return host.range(of: #"^v[a-fA-F0-9]+\.[a-zA-Z0-9\-._~!$&'()*+,;=:]+$"#, options: [.regularExpression, .caseInsensitive]) != nil
        }
        var address = in6_addr()
        return inet_pton(AF_INET6, host.split(separator: "%", maxSplits: 1).first.map(String.init) ?? host, &address) == 1
    }
}
