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

    /// Prepares to render with `context` on top of the environment's globals.
    init(environment: TemplateEnvironment, context: [String: TemplateValue], templateName: String) {
        self.environment = environment
        self.scopes = [environment.globals, context]
        self.autoescape = environment.autoescape
        self.currentTemplate = templateName
        self.filterContext = FilterContext(autoescape: environment.autoescape, environment: environment)
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
        loops.append(LoopState(index: 0, count: items.count))
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
