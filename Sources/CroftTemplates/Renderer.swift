import Foundation

/// Walks a template's node tree and appends the output to one `String` buffer.
///
/// The context is a stack of scopes (dictionaries): the environment's globals, the caller's
/// context, then one scope per `for`, `with` or `include`. Loop counters live in a separate stack
/// of ``LoopState`` values. A renderer is a value used by one render call on one thread.
struct Renderer {
    let environment: TemplateEnvironment
    var scopes: [[String: TemplateValue]]
    var loops: [LoopState] = []
    var autoescape: Bool
    /// For each block name, its definitions from the child-most template to the root.
    var blockChains: [String: [Node.Block]] = [:]
    /// The templates being rendered, outermost first, to detect include cycles.
    var templateStack: [String] = []
    /// The template whose nodes are being rendered, for error messages.
    var currentTemplate: String
    let filterContext: FilterContext
    /// Where each `{% cycle %}` is (by node identity), for this render.
    var cyclePositions: [Int: Int] = [:]
    /// The cycles named with `as`, and the last cycle rendered (for `{% resetcycle %}`).
    var namedCycles: [String: Node.Cycle] = [:]
    var lastCycle: Int?
    /// What each `{% ifchanged %}` last saw, and in which run of its loop.
    var lastSeen: [Int: (generation: Int, value: [TemplateValue])] = [:]
    /// Counts loop runs, so an `{% ifchanged %}` in a loop rendered twice starts afresh.
    var loopRuns = 0

    /// Prepares to render with `context` on top of the environment's globals.
    init(environment: TemplateEnvironment, context: [String: TemplateValue], templateName: String, autoescape: Bool? = nil) {
        self.environment = environment
        self.scopes = [environment.globals, context]
        self.autoescape = autoescape ?? environment.autoescape
        self.currentTemplate = templateName
        self.filterContext = FilterContext(autoescape: autoescape ?? environment.autoescape, environment: environment)
    }

    /// Renders `template`, resolving its `extends` chain, and returns the output.
    mutating func render(_ template: Template) throws -> String {
        var output = ""
        let hint = template.outputSizeHint.load(ordering: .relaxed)
        output.reserveCapacity(max(hint + hint / 8, template.source.utf8.count + 64))
        try renderTemplate(template, into: &output)
        if output.utf8.count != hint { template.outputSizeHint.store(output.utf8.count, ordering: .relaxed) }
        return output
    }

    /// Renders a template: follows `extends` to the root, collects block overrides, renders the root.
    mutating func renderTemplate(_ template: Template, into output: inout String) throws {
        let savedTemplate = currentTemplate
        let savedChains = blockChains
        let savedDepth = templateStack.count
        defer {
            currentTemplate = savedTemplate
            blockChains = savedChains
            templateStack.removeLast(templateStack.count - savedDepth)
        }
        var chain = [template]
        var names = [template.name]
        var current = template
        while let parent = current.parent {
            currentTemplate = current.name
            let parentName = try evaluate(parent.expression, at: parent.location).text
            if names.contains(parentName) {
                throw TemplateError(.cycle, current.name, parent.location,
                                    "extends cycle: " + (names + [parentName]).joined(separator: " → "))
            }
            current = try load(parentName, at: parent.location)
            names.append(parentName)
            chain.append(current)
        }
        templateStack.append(contentsOf: names)
        blockChains = [:]
        if chain.count > 1 {
            for member in chain {
                for (name, block) in member.blocks { blockChains[name, default: []].append(block) }
            }
        }
        currentTemplate = current.name
        try render(current.nodes, into: &output)
    }

    /// Renders nodes in order into `output`.
    mutating func render(_ nodes: [Node], into output: inout String) throws {
        for node in nodes {
            switch node {
            case .text(let text):
                output.append(text)
            case .output(let expression, let location):
                write(try evaluate(expression, at: location), to: &output)
            case .conditional(let branches):
                for branch in branches {
                    if let condition = branch.condition, !(try test(condition, at: branch.location)) { continue }
                    try render(branch.body, into: &output)
                    break
                }
            case .loop(let loop):
                try renderLoop(loop, into: &output)
            case .block(let block):
                try renderBlock(blockChains[block.name] ?? [block], level: 0, into: &output)
            case .include(let include):
                try renderInclude(include, into: &output)
            case .with(let bindings, let body, let location):
                var scope: [String: TemplateValue] = [:]
                for (name, expression) in bindings { scope[name] = try evaluate(expression, at: location) }
                scopes.append(scope)
                defer { scopes.removeLast() }
                try render(body, into: &output)
            case .autoescape(let enabled, let body):
                let saved = autoescape
                autoescape = enabled
                defer { autoescape = saved }
                try render(body, into: &output)
            case .url(let url):
                try renderURL(url, into: &output)
            case .staticAsset(let expression, let variable, let location):
                let address = environment.staticURL(try evaluate(expression, at: location).text)
                if let variable { scopes[scopes.count - 1][variable] = .string(address) }
                else { write(.string(address), to: &output) }
            case .csrfToken:
                let token = lookup(VariablePath(segments: [PathSegment("csrf_token")], text: "csrf_token")) ?? .null
                guard token.isTruthy else { break }
                output.append("<input type=\"hidden\" name=\"csrf_token\" value=\"")
                HTMLEscaping.append(token.text, to: &output)
                output.append("\">")
            case .spaceless(let body):
                var content = ""
                try render(body, into: &content)
                output.append(Renderer.removingSpaceBetweenTags(content.trimmingCharacters(in: .whitespacesAndNewlines)))
            case .firstOf(let values, let variable, let location):
                var chosen = TemplateValue.string("")
                for expression in values {
                    let value = try evaluate(expression, at: location)
                    if value.isTruthy { chosen = value; break }
                }
                if let variable { scopes[scopes.count - 1][variable] = chosen } else { write(chosen, to: &output) }
            case .widthRatio(let value, let maximum, let width, let variable, let location):
                let text = try widthRatio(value, maximum, width, at: location)
                if let variable { scopes[scopes.count - 1][variable] = .string(text) } else { output.append(text) }
            case .filterBlock(let expression, let body, let location):
                var content = ""
                try render(body, into: &content)
                scopes.append([Parser.filterBodyVariable: .safeString(content)])
                defer { scopes.removeLast() }
                output.append(try evaluate(expression, at: location).text)
            case .cycle(let cycle):
                try renderCycle(cycle, into: &output)
            case .cycleReference(let name, let location):
                guard let cycle = namedCycles[name] else {
                    throw TemplateError(.render, currentTemplate, location, "no cycle named '\(name)' has run yet")
                }
                try renderCycle(Node.Cycle(id: cycle.id, values: cycle.values, variable: cycle.variable, silent: false,
                                           location: location), into: &output)
            case .resetCycle(let name, let location):
                if let name {
                    guard let cycle = namedCycles[name] else {
                        throw TemplateError(.render, currentTemplate, location, "no cycle named '\(name)'")
                    }
                    cyclePositions[cycle.id] = 0
                } else if let lastCycle {
                    cyclePositions[lastCycle] = 0
                }
            case .ifChanged(let node):
                try renderIfChanged(node, into: &output)
            case .now(let format, let variable):
                let text = DateFormat.format(Date(), format, calendar: environment.calendar)
                if let variable { scopes[scopes.count - 1][variable] = .string(text) } else { write(.string(text), to: &output) }
            case .regroup(let regroup):
                scopes[scopes.count - 1][regroup.variable] = try grouped(regroup)
            case .lorem(let count, let method, let random, let location):
                let number = try count.map { try evaluate($0, at: location).integer ?? 1 } ?? 1
                output.append(Lorem.text(count: min(number, BuiltinFilters.maximumWidth), method: method, random: random))
            case .debug:
                // Only with DEBUG on (the environment's `debug` global): the variables this page sees.
                guard environment.globals["debug"]?.isTruthy == true else { break }
                var names: [String: TemplateValue] = [:]
                for scope in scopes { names.merge(scope) { _, inner in inner } }
                let lines = names.keys.sorted().map { "\($0): \(names[$0]!.text)" }
                output.append("<pre>")
                HTMLEscaping.append(lines.joined(separator: "\n"), to: &output)
                output.append("</pre>")
            case .queryString(let tag):
                let text = try queryString(tag)
                if let variable = tag.variable { scopes[scopes.count - 1][variable] = .string(text) } else { write(.string(text), to: &output) }
            case .simpleTag(let function, let tag):
                let arguments = try tag.arguments.map { try evaluate($0, at: tag.location) }
                let value = try callTag(tag) { try function(arguments, TemplateVariables(scopes: scopes)) }
                write(value, to: &output)
            case .blockTag(let function, let tag):
                let arguments = try tag.arguments.map { try evaluate($0, at: tag.location) }
                var content = ""
                try render(tag.body, into: &content)
                output.append(try callTag(tag) { try function(content, arguments, TemplateVariables(scopes: scopes)) })
            }
        }
    }

    /// Django's `strip_spaces_between_tags`: whitespace between a `>` and the next `<` removed.
    static func removingSpaceBetweenTags(_ html: String) -> String {
        var out = ""
        out.reserveCapacity(html.utf8.count)
        var pending = ""
        var afterTag = false
        for character in html {
            if afterTag && character.isWhitespace {
                pending.append(character)
                continue
            }
            if afterTag && character != "<" { out += pending }
            pending = ""
            out.append(character)
            afterTag = character == ">"
        }
        return out + pending
    }

    /// `{% widthratio %}`: `value / maximum * width`, rounded half to even as Python's `round`; `0` when
    /// the maximum is 0, nothing when a value is not a number.
    private func widthRatio(_ value: FilterExpression, _ maximum: FilterExpression, _ width: FilterExpression,
                            at location: SourceLocation) throws -> String {
        guard let widthValue = try evaluate(width, at: location).number, widthValue.isFinite else {
            throw TemplateError(.render, currentTemplate, location, "widthratio's last argument must be a number")
        }
        guard let number = try evaluate(value, at: location).number, let limit = try evaluate(maximum, at: location).number else {
            return ""
        }
        if limit == 0 { return "0" }
        // In Double throughout: a width or a ratio beyond Int's range (fuzz-templates found
        // `widthratio n big 99999999999999999999`) prints its digits, as Python's unbounded int does.
        let ratio = ((number / limit) * widthValue.rounded(.towardZero)).rounded(.toNearestOrEven)
        guard ratio.isFinite else { return "" }
        if let exact = Int(exactly: ratio) { return String(exact) }
        return TemplateValue.plainDecimal(ratio)
    }

    private mutating func renderCycle(_ cycle: Node.Cycle, into output: inout String) throws {
        let position = cyclePositions[cycle.id, default: 0]
        cyclePositions[cycle.id] = (position + 1) % cycle.values.count
        lastCycle = cycle.id
        let value = try evaluate(cycle.values[position], at: cycle.location)
        if let variable = cycle.variable {
            namedCycles[variable] = cycle
            scopes[scopes.count - 1][variable] = value
        }
        if !cycle.silent { write(value, to: &output) }
    }

    private mutating func renderIfChanged(_ node: Node.IfChanged, into output: inout String) throws {
        let generation = loops.last?.generation ?? 0
        var content = ""
        let current: [TemplateValue]
        if node.values.isEmpty {
            try render(node.body, into: &content)
            current = [.string(content)]
        } else {
            current = try node.values.map { try evaluate($0, at: node.location) }
        }
        let previous = lastSeen[node.id]
        lastSeen[node.id] = (generation, current)
        if let previous, previous.generation == generation, previous.value == current {
            try render(node.otherwise, into: &output)
        } else if node.values.isEmpty {
            output.append(content)
        } else {
            try render(node.body, into: &output)
        }
    }

    /// `{% regroup %}`: consecutive items with the same key, as `[{grouper, list}]`.
    private func grouped(_ regroup: Node.Regroup) throws -> TemplateValue {
        guard case .array(let items) = try evaluate(regroup.list, at: regroup.location) else { return .array([]) }
        var groups: [TemplateValue] = []
        var currentKey: TemplateValue?
        var members: [TemplateValue] = []
        for item in items {
            let key = item.member(path: regroup.key) ?? .null
            if let currentKey, currentKey != key {
                groups.append(["grouper": currentKey, "list": .array(members)])
                members = []
            }
            currentKey = key
            members.append(item)
        }
        if let currentKey { groups.append(["grouper": currentKey, "list": .array(members)]) }
        return .array(groups)
    }

    private mutating func renderLoop(_ loop: Node.Loop, into output: inout String) throws {
        let sequence = try evaluate(loop.sequence, at: loop.location)
        var items: [TemplateValue]
        if case .array(let elements) = sequence { items = elements } else { items = sequence.iterationElements }
        if loop.reversed { items.reverse() }
        guard !items.isEmpty else {
            try render(loop.empty, into: &output)
            return
        }
        scopes.append([:])
        loopRuns += 1
        loops.append(LoopState(index: 0, count: items.count, generation: loopRuns))
        defer {
            scopes.removeLast()
            loops.removeLast()
        }
        let top = scopes.count - 1
        let loopIndex = loops.count - 1
        let single = loop.variables.count == 1 ? loop.variables[0] : nil
        for (index, item) in items.enumerated() {
            loops[loopIndex].index = index
            if let single {
                scopes[top][single] = item
            } else {
                let parts: [TemplateValue]
                if case .array(let elements) = item { parts = elements } else { parts = [item] }
                for (position, name) in loop.variables.enumerated() {
                    scopes[top][name] = position < parts.count ? parts[position] : .null
                }
            }
            try render(loop.body, into: &output)
        }
    }

    private mutating func renderBlock(_ chain: [Node.Block], level: Int, into output: inout String) throws {
        let block = chain[level]
        let saved = currentTemplate
        currentTemplate = block.template
        defer { currentTemplate = saved }
        guard block.usesSuper else {
            try render(block.body, into: &output)
            return
        }
        var parentText = ""
        if level + 1 < chain.count { try renderBlock(chain, level: level + 1, into: &parentText) }
        scopes.append(["block": .dictionary(["super": .safeString(parentText)])])
        defer { scopes.removeLast() }
        try render(block.body, into: &output)
    }

    private mutating func renderInclude(_ include: Node.Include, into output: inout String) throws {
        let name = try evaluate(include.template, at: include.location).text
        if templateStack.contains(name) {
            throw TemplateError(.cycle, currentTemplate, include.location,
                                "include cycle: " + (templateStack + [name]).joined(separator: " → "))
        }
        let template = try load(name, at: include.location)
        var scope: [String: TemplateValue] = [:]
        for (key, expression) in include.bindings { scope[key] = try evaluate(expression, at: include.location) }
        if include.only {
            let savedScopes = scopes
            let savedLoops = loops
            scopes = [environment.globals, scope]
            loops = []
            defer {
                scopes = savedScopes
                loops = savedLoops
            }
            try renderTemplate(template, into: &output)
        } else {
            scopes.append(scope)
            defer { scopes.removeLast() }
            try renderTemplate(template, into: &output)
        }
    }

    private mutating func renderURL(_ url: Node.URL, into output: inout String) throws {
        let name = try evaluate(url.name, at: url.location).text
        let arguments = try url.arguments.map { try evaluate($0, at: url.location) }
        guard let resolver = environment.urlResolver else {
            throw TemplateError(.render, currentTemplate, url.location,
                                "cannot reverse URL '\(name)': no urlResolver is configured on the TemplateEnvironment")
        }
        let address: String
        do {
            address = try resolver(name, arguments)
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError(.render, currentTemplate, url.location, "cannot reverse URL '\(name)': \(error)")
        }
        if let variable = url.variable { scopes[scopes.count - 1][variable] = .string(address) }
        else { write(.string(address), to: &output) }
    }

    private func callTag<Result>(_ tag: Node.CustomTag, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError(.render, currentTemplate, tag.location, "tag '\(tag.name)' failed: \(error)")
        }
    }

    /// Loads a template for `extends` or `include`, reporting a missing one at the tag.
    private func load(_ name: String, at location: SourceLocation) throws -> Template {
        do {
            return try environment.template(named: name)
        } catch let error as TemplateError where error.kind == .templateNotFound && error.line == 0 {
            throw TemplateError(.templateNotFound, currentTemplate, location, error.message)
        }
    }
}
