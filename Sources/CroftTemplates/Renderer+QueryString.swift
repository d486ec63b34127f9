import CroftCore

extension Renderer {
    /// `{% querystring %}`, as Django 5.2 builds it: the query (the request's unless one is given) with
    /// each `name=value` applied in order, `?` and form-encoded; empty when there was no query and is none.
    ///
    /// The request's query is `request.query_string` (its order kept, as Django's `QueryDict` keeps it) or
    /// else `request.GET`; a given one is a dictionary of text or lists of text, read in key order. A list
    /// sets every value of a name, `None` (or a null) removes the name, an undefined variable sets it empty.
    func queryString(_ tag: Node.QueryString) throws -> String {
        var parameters: [(name: String, values: [String])]
        if let source = tag.source {
            parameters = Self.parameters(from: try evaluate(source, at: tag.location))
        } else if let raw = lookup(Self.requestQueryString), case .string(let text) = raw {
            parameters = Self.parameters(parsing: text)
        } else {
            parameters = Self.parameters(from: lookup(Self.requestGET) ?? .null)
        }
        let hadParameters = !parameters.isEmpty
        for (name, expression) in tag.changes {
            var value: TemplateValue
            if expression.filters.isEmpty, case .variable(let path) = expression.operand, lookup(path) == nil {
                value = .string("")  // Django resolves an undefined variable to its string_if_invalid, ""
            } else {
                value = try evaluate(expression, at: tag.location)
            }
            let index = parameters.firstIndex { $0.name == name }
            switch value {
            case .null:
                if let index { parameters.remove(at: index) }
                continue
            case .array(let items):
                let values = items.map(\.text)
                if let index { parameters[index].values = values } else { parameters.append((name, values)) }
            default:
                if let index { parameters[index].values = [value.text] } else { parameters.append((name, [value.text])) }
            }
        }
        guard hadParameters || !parameters.isEmpty else { return "" }
        return "?" + parameters.flatMap { parameter in
            parameter.values.map { PercentEncoding.encodeFormComponent(parameter.name) + "=" + PercentEncoding.encodeFormComponent($0) }
        }
            .joined(separator: "&")
    }

    private static let requestQueryString = VariablePath(segments: [PathSegment("request"), PathSegment("query_string")],
                                                         text: "request.query_string")
    private static let requestGET = VariablePath(segments: [PathSegment("request"), PathSegment("GET")], text: "request.GET")

    /// A raw query (`a=1&b=2&a=3`) as names in order of first appearance, each with its values.
    static func parameters(parsing query: String) -> [(name: String, values: [String])] {
        var parameters: [(name: String, values: [String])] = []
        var positions: [String: Int] = [:]
        for (name, value) in PercentEncoding.formPairs(query.utf8) {
            if let index = positions[name] {
                parameters[index].values.append(value)
            } else {
                positions[name] = parameters.count
                parameters.append((name, [value]))
            }
        }
        return parameters
    }

    /// A dictionary of text or lists of text as parameters, in key order.
    private static func parameters(from value: TemplateValue) -> [(name: String, values: [String])] {
        guard case .dictionary(let entries) = value else { return [] }
        return entries.keys.sorted().compactMap { key in
            switch entries[key]! {
            case .null: nil
            case .array(let items): (key, items.map(\.text))
            case let single: (key, [single.text])
            }
        }
    }
}

extension TemplateValue {
    /// A query string's fields as templates read them (`request.GET`): the last value of each name, as
    /// Django's `QueryDict` and Croft's `request.query` give it (`{% querystring %}` keeps every value).
    ///
    /// ```swift
    /// TemplateValue.queryFields("q=swift&tag=a&tag=b")  // ["q": "swift", "tag": "b"]
    /// ```
    public static func queryFields(_ query: String) -> TemplateValue {
        var fields: [String: TemplateValue] = [:]
        for (name, values) in Renderer.parameters(parsing: query) {
            fields[name] = .string(values[values.count - 1])
        }
        return .dictionary(fields)
    }
}
