import Foundation

/// Turns tokens into a node tree, checking that every tag is known, well formed and closed.
struct Parser {
    /// The tags the parser itself knows (besides the registered custom ones), for "did you mean".
    static let builtinTagNames = ["if", "elif", "else", "endif", "for", "empty", "endfor", "block", "endblock", "extends",
                                  "include", "with", "endwith", "comment", "endcomment", "verbatim", "endverbatim",
                                  "autoescape", "endautoescape", "url", "static", "csrf_token", "load", "spaceless",
                                  "endspaceless", "templatetag", "firstof", "widthratio", "filter", "endfilter", "cycle",
                                  "resetcycle", "ifchanged", "endifchanged", "now", "regroup", "lorem", "debug", "querystring"]

    private static let closingTags: Set<String> = [
        "elif", "else", "endif", "empty", "endfor", "endblock", "endwith", "endcomment",
        "endverbatim", "endautoescape", "endspaceless", "endfilter", "endifchanged",
    ]
    /// What `{% templatetag name %}` prints.
    private static let templateTagOutputs = [
        "openblock": "{%", "closeblock": "%}", "openvariable": "{{", "closevariable": "}}",
        "openbrace": "{", "closebrace": "}", "opencomment": "{#", "closecomment": "#}",
    ]
    private static let maximumNesting = 100

    private let name: String
    private let tokens: [Token]
    private let library: TagLibrary
    private var index = 0
    private var depth = 0
    private var sawNonText = false
    /// Identities for the nodes that keep state across renders of themselves (cycle, ifchanged).
    private var nextNodeID = 0
    /// The cycles named with `as`, so `{% cycle name %}` can refer to one.
    private var namedCycles: Set<String> = []
    /// Every `{% block %}` in the template, by name.
    private(set) var blocks: [String: Node.Block] = [:]
    /// The blocks whose bodies are being parsed: a block of the same name inside one is a duplicate too (it
    /// would render itself forever).
    private var openBlocks: Set<String> = []
    /// The `{% extends %}` clause, if any.
    private(set) var parent: Template.Parent?

    /// Tokenizes `source`; parsing happens in ``parseDocument()``.
    init(source: String, name: String, library: TagLibrary) throws {
        var lexer = Lexer(source: source, templateName: name)
        self.tokens = try lexer.tokenize()
        self.name = name
        self.library = library
    }

    /// Parses the whole template.
    mutating func parseDocument() throws -> [Node] {
        try parseNodes(until: [], opener: nil).nodes
    }

    private mutating func parseNodes(until ends: Set<String>, opener: Token?) throws -> (nodes: [Node], end: Token?) {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maximumNesting, let opener {
            throw TemplateError(.syntax, name, opener.location, "tags nested more than \(Parser.maximumNesting) deep")
        }
        var nodes: [Node] = []
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token.kind {
            case .text:
                nodes.append(.text(token.contents))
            case .variable:
                nodes.append(.output(try expressions(token).filterExpression(token.contents), token.location))
                sawNonText = true
            case .block:
                let tagName = String(token.tagName)
                if ends.contains(tagName) { return (nodes, token) }
                if Parser.closingTags.contains(tagName)
                    || tagName.hasPrefix("end") && library.blockTags[String(tagName.dropFirst(3))] != nil {
                    let context = opener.map { " inside '\($0.display)'" } ?? ""
                    throw TemplateError(.syntax, name, token.location, "unexpected '\(token.display)'\(context)")
                }
                if let node = try parseTag(tagName, token) {
                    nodes.append(node)
                    sawNonText = true
                }
            }
        }
        if let opener {
            let expected = ends.contains("end" + opener.tagName) ? "end" + opener.tagName : ends.sorted().joined(separator: "' or '")
            throw TemplateError(.unclosedTag, name, opener.location,
                                "unclosed tag '\(opener.display)': expected '{% \(expected) %}'")
        }
        return (nodes, nil)
    }

    private mutating func parseTag(_ tagName: String, _ token: Token) throws -> Node? {
        let words = Array(ExpressionParser.splitWords(token.contents).dropFirst())
        let expressions = expressions(token)
        switch tagName {
        case "if": return try parseIf(token, words)
        case "spaceless":
            return .spaceless(try parseNodes(until: ["endspaceless"], opener: token).nodes)
        case "templatetag":
            guard words.count == 1, let text = Parser.templateTagOutputs[words[0]] else {
                throw expressions.syntax("'templatetag' takes one of \(Parser.templateTagOutputs.keys.sorted().joined(separator: ", ")) in '\(token.display)'")
            }
            return .text(text)
        case "firstof":
            let (values, variable) = try Parser.splitAs(words)
            guard !values.isEmpty else { throw expressions.syntax("'firstof' needs at least one value in '\(token.display)'") }
            return .firstOf(try values.map(expressions.filterExpression), variable, token.location)
        case "widthratio":
            let (values, variable) = try Parser.splitAs(words)
            guard values.count == 3 else { throw expressions.syntax("'widthratio' takes three values in '\(token.display)'") }
            let parsed = try values.map(expressions.filterExpression)
            return .widthRatio(parsed[0], parsed[1], parsed[2], variable, token.location)
        case "filter":
            guard words.count == 1 else { throw expressions.syntax("'filter' takes filters, as in {% filter lower|force_escape %}") }
            let names = words[0].split(separator: "|").map { $0.split(separator: ":").first.map(String.init) ?? "" }
            if let refused = names.first(where: { $0 == "escape" || $0 == "safe" }) {
                throw expressions.syntax("use {% autoescape %} instead of '\(refused)' in '\(token.display)'")
            }
            let expression = try expressions.filterExpression(Parser.filterBodyVariable + "|" + words[0])
            return .filterBlock(expression, try parseNodes(until: ["endfilter"], opener: token).nodes, token.location)
        case "cycle":
            return try parseCycle(token, words)
        case "lorem":
            var rest = words
            let random = rest.last == "random"
            if random { rest.removeLast() }
            var method = "b"
            if let last = rest.last, ["w", "p", "b"].contains(last) {
                method = last
                rest.removeLast()
            }
            guard rest.count <= 1 else { throw expressions.syntax("'lorem' is {% lorem [count] [w|p|b] [random] %} in '\(token.display)'") }
            return .lorem(count: try rest.first.map(expressions.filterExpression), method: method, random: random, token.location)
        case "debug":
            return .debug
        case "querystring":
            return try parseQueryString(token, words)
        case "resetcycle":
            guard words.count <= 1 else { throw expressions.syntax("'resetcycle' takes at most a cycle name in '\(token.display)'") }
            return .resetCycle(words.first, token.location)
        case "ifchanged":
            let values = try words.map(expressions.filterExpression)
            let (body, end) = try parseNodes(until: ["else", "endifchanged"], opener: token)
            var otherwise: [Node] = []
            if end?.tagName == "else" { otherwise = try parseNodes(until: ["endifchanged"], opener: token).nodes }
            nextNodeID += 1
            return .ifChanged(.init(id: nextNodeID, values: values, body: body, otherwise: otherwise, location: token.location))
        case "now":
            let (values, variable) = try Parser.splitAs(words)
            guard values.count == 1, let format = Parser.stringLiteral(values[0]) else {
                throw expressions.syntax("'now' takes a quoted format, as in {% now \"Y\" %}")
            }
            return .now(format, variable)
        case "regroup":
            guard words.count == 5, words[1] == "by", words[3] == "as" else {
                throw expressions.syntax("'regroup' is {% regroup list by key as name %} in '\(token.display)'")
            }
            return .regroup(.init(list: try expressions.filterExpression(words[0]),
                                  key: words[2].split(separator: ".").map(String.init), variable: words[4], location: token.location))
        case "for": return try parseFor(token, words)
        case "block": return try parseBlock(token, words)
        case "extends":
            try parseExtends(token, words)
            return nil
        case "include": return try parseInclude(token, words)
        case "with":
            let bindings = try parseBindings(token, words, allowLegacyAs: true)
            guard !bindings.isEmpty else { throw expressions.syntax("'with' needs at least one name=value in '\(token.display)'") }
            return .with(bindings, try parseNodes(until: ["endwith"], opener: token).nodes, token.location)
        case "comment":
            try skipComment(token)
            return nil
        case "verbatim": return try parseVerbatim(token)
        case "autoescape":
            guard words.count == 1, words[0] == "on" || words[0] == "off" else {
                throw expressions.syntax("'autoescape' takes 'on' or 'off' in '\(token.display)'")
            }
            return .autoescape(words[0] == "on", try parseNodes(until: ["endautoescape"], opener: token).nodes)
        case "url":
            let (arguments, variable) = try splitAs(words, token)
            guard let first = arguments.first else { throw expressions.syntax("'url' needs a route name in '\(token.display)'") }
            return .url(.init(name: try expressions.filterExpression(first),
                              arguments: try arguments.dropFirst().map(expressions.filterExpression),
                              variable: variable, location: token.location))
        case "static":
            let (arguments, variable) = try splitAs(words, token)
            guard arguments.count == 1 else { throw expressions.syntax("'static' takes one path in '\(token.display)'") }
            return .staticAsset(try expressions.filterExpression(arguments[0]), variable, token.location)
        case "csrf_token":
            guard words.isEmpty else { throw expressions.syntax("'csrf_token' takes no arguments in '\(token.display)'") }
            return .csrfToken
        case "load":
            return nil
        default:
            if let tag = library.simpleTags[tagName] {
                return .simpleTag(tag, .init(name: tagName, arguments: try words.map(expressions.filterExpression),
                                             body: [], location: token.location))
            }
            if let tag = library.blockTags[tagName] {
                let arguments = try words.map(expressions.filterExpression)
                let body = try parseNodes(until: ["end" + tagName], opener: token).nodes
                return .blockTag(tag, .init(name: tagName, arguments: arguments, body: body, location: token.location))
            }
            let known = Parser.builtinTagNames + Array(library.simpleTags.keys) + Array(library.blockTags.keys)
            throw TemplateError(.unknownTag, name, token.location,
                                "unknown tag '\(tagName)' in '\(token.display)'" + Suggestion.hint(for: tagName, in: known))
        }
    }

    private mutating func parseIf(_ token: Token, _ words: [String]) throws -> Node {
        var branches: [Node.Branch] = []
        var condition: Condition? = try parseCondition(token, words)
        var location = token.location
        while true {
            let ends: Set<String> = condition == nil ? ["endif"] : ["elif", "else", "endif"]
            let (body, end) = try parseNodes(until: ends, opener: token)
            branches.append(.init(condition: condition, body: body, location: location))
            guard let end else { break }
            let endWords = Array(ExpressionParser.splitWords(end.contents).dropFirst())
            location = end.location
            switch end.tagName {
            case "elif": condition = try parseCondition(end, endWords)
            case "else":
                guard endWords.isEmpty else { throw expressions(end).syntax("'else' takes no arguments in '\(end.display)'") }
                condition = nil
            default: return .conditional(branches)
            }
        }
        return .conditional(branches)
    }

    private mutating func parseCondition(_ token: Token, _ words: [String]) throws -> Condition {
        var parser = ConditionParser(words: words, expressions: expressions(token))
        return try parser.parse()
    }

    private mutating func parseFor(_ token: Token, _ words: [String]) throws -> Node {
        let expressions = expressions(token)
        guard let inIndex = words.firstIndex(of: "in"), inIndex > 0 else {
            throw expressions.syntax("'for' must look like 'for x in items' in '\(token.display)'")
        }
        let variables = words[..<inIndex].joined(separator: " ").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
        for variable in variables where !ExpressionParser.isIdentifier(variable) {
            throw expressions.syntax("invalid loop variable '\(variable)' in '\(token.display)'")
        }
        var rest = Array(words[(inIndex + 1)...])
        let reversed = rest.count == 2 && rest[1] == "reversed"
        if reversed { rest.removeLast() }
        guard rest.count == 1 else {
            throw expressions.syntax("'for' needs exactly one sequence after 'in' in '\(token.display)'")
        }
        let sequence = try expressions.filterExpression(rest[0])
        var (body, end) = try parseNodes(until: ["empty", "endfor"], opener: token)
        var empty: [Node] = []
        if end?.tagName == "empty" {
            (empty, end) = try parseNodes(until: ["endfor"], opener: token)
        }
        return .loop(.init(variables: variables, sequence: sequence, reversed: reversed,
                           body: body, empty: empty, location: token.location))
    }

    private mutating func parseBlock(_ token: Token, _ words: [String]) throws -> Node {
        let expressions = expressions(token)
        guard words.count == 1, ExpressionParser.isIdentifier(words[0]) else {
            throw expressions.syntax("'block' takes one name in '\(token.display)'")
        }
        let blockName = words[0]
        guard blocks[blockName] == nil, !openBlocks.contains(blockName) else {
            throw expressions.syntax("block '\(blockName)' appears more than once")
        }
        let firstToken = index
        openBlocks.insert(blockName)
        let (body, end) = try parseNodes(until: ["endblock"], opener: token)
        openBlocks.remove(blockName)
        let usesSuper = tokens[firstToken..<index].contains { $0.kind != .text && $0.contents.contains("block.super") }
        if let end, let endName = ExpressionParser.splitWords(end.contents).dropFirst().first, endName != blockName {
            throw TemplateError(.syntax, name, end.location,
                                "'\(end.display)' does not match '\(token.display)'")
        }
        let block = Node.Block(name: blockName, body: body, usesSuper: usesSuper, template: name)
        blocks[blockName] = block
        return .block(block)
    }

    private mutating func parseExtends(_ token: Token, _ words: [String]) throws {
        let expressions = expressions(token)
        guard depth == 1 else { throw expressions.syntax("'extends' must be at the top level, not inside another tag") }
        guard parent == nil else { throw expressions.syntax("'extends' appears more than once") }
        guard !sawNonText else { throw expressions.syntax("'extends' must be the first tag in the template") }
        guard words.count == 1 else { throw expressions.syntax("'extends' takes one template name in '\(token.display)'") }
        parent = .init(expression: try expressions.filterExpression(words[0]), location: token.location)
    }

    private mutating func parseInclude(_ token: Token, _ words: [String]) throws -> Node {
        let expressions = expressions(token)
        guard let first = words.first else { throw expressions.syntax("'include' needs a template name") }
        var rest = Array(words.dropFirst())
        let only = rest.last == "only"
        if only { rest.removeLast() }
        if let with = rest.first {
            guard with == "with", rest.count > 1 else {
                throw expressions.syntax("expected 'with name=value' or 'only' in '\(token.display)'")
            }
            rest.removeFirst()
        }
        return .include(.init(template: try expressions.filterExpression(first),
                              bindings: try parseBindings(token, rest, allowLegacyAs: false),
                              only: only, location: token.location))
    }

    private func parseBindings(_ token: Token, _ words: [String], allowLegacyAs: Bool) throws -> [(String, FilterExpression)] {
        let expressions = expressions(token)
        if allowLegacyAs, words.count == 3, words[1] == "as", ExpressionParser.isIdentifier(words[2]) {
            return [(words[2], try expressions.filterExpression(words[0]))]
        }
        return try words.map { word in
            guard let (name, value) = ExpressionParser.splitAssignment(word) else {
                throw expressions.syntax("expected name=value, found '\(word)' in '\(token.display)'")
            }
            return (name, try expressions.filterExpression(value))
        }
    }

    private func splitAs(_ words: [String], _ token: Token) throws -> ([String], String?) {
        guard words.count >= 2, words[words.count - 2] == "as" else { return (words, nil) }
        let variable = words[words.count - 1]
        guard ExpressionParser.isIdentifier(variable) else {
            throw expressions(token).syntax("invalid variable name '\(variable)' after 'as' in '\(token.display)'")
        }
        return (Array(words.dropLast(2)), variable)
    }

    private mutating func skipComment(_ opener: Token) throws {
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            if token.kind == .block, token.tagName == "endcomment" { return }
        }
        throw TemplateError(.unclosedTag, name, opener.location, "unclosed tag '\(opener.display)': expected '{% endcomment %}'")
    }

    private mutating func parseVerbatim(_ opener: Token) throws -> Node {
        var text = ""
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            if token.kind == .block, token.contents == "end" + opener.contents { return .text(text) }
            text += token.kind == .text ? token.contents : token.display
        }
        throw TemplateError(.unclosedTag, name, opener.location, "unclosed tag '\(opener.display)': expected '{% end\(opener.contents) %}'")
    }

    /// The name the body of `{% filter %}` is bound to while its filters run (not a valid template name,
    /// so no template can read it).
    static let filterBodyVariable = "filter_body_"

    /// Splits a trailing `as name` off a tag's words.
    static func splitAs(_ words: [String]) throws -> (values: [String], variable: String?) {
        guard words.count >= 2, words[words.count - 2] == "as" else { return (words, nil) }
        return (Array(words.dropLast(2)), words[words.count - 1])
    }

    /// The text of a quoted literal (`"Y"` or `'Y'`), or nil.
    static func stringLiteral(_ word: String) -> String? {
        guard word.count >= 2, let first = word.first, first == word.last, first == "\"" || first == "'" else { return nil }
        return String(word.dropFirst().dropLast())
    }

    private mutating func parseCycle(_ token: Token, _ words: [String]) throws -> Node {
        let expressions = expressions(token)
        guard !words.isEmpty else { throw expressions.syntax("'cycle' needs at least one value in '\(token.display)'") }
        if words.count == 1, namedCycles.contains(words[0]) { return .cycleReference(words[0], token.location) }
        var values = words
        var silent = false
        if values.last == "silent", values.count >= 3, values[values.count - 3] == "as" {
            silent = true
            values.removeLast()
        }
        let (items, variable) = try Parser.splitAs(values)
        guard !items.isEmpty else { throw expressions.syntax("'cycle' needs at least one value in '\(token.display)'") }
        if let variable { namedCycles.insert(variable) }
        nextNodeID += 1
        return .cycle(.init(id: nextNodeID, values: try items.map(expressions.filterExpression), variable: variable,
                            silent: silent, location: token.location))
    }

    /// `{% querystring [query] name=value ... [as variable] %}`: one optional dictionary, then changes.
    private func parseQueryString(_ token: Token, _ words: [String]) throws -> Node {
        let expressions = expressions(token)
        let (arguments, variable) = try splitAs(words, token)
        var source: FilterExpression?
        var changes: [(String, FilterExpression)] = []
        for word in arguments {
            if let (name, value) = ExpressionParser.splitAssignment(word) {
                guard !changes.contains(where: { $0.0 == name }) else {
                    throw expressions.syntax("'querystring' received multiple values for '\(name)' in '\(token.display)'")
                }
                changes.append((name, try expressions.filterExpression(value)))
            } else if source == nil, changes.isEmpty {
                source = try expressions.filterExpression(word)
            } else {
                throw expressions.syntax("'querystring' takes one query, then name=value pairs, not '\(word)' in '\(token.display)'")
            }
        }
        return .queryString(.init(source: source, changes: changes, variable: variable, location: token.location))
    }

    private func expressions(_ token: Token) -> ExpressionParser {
        ExpressionParser(library: library, template: name, location: token.location)
    }
}
