import CroftCore
import Foundation

/// A form a handler decodes from the posted fields, checks, and shows again with its errors.
///
/// Property names are the fields' names in snake_case (`displayName` is `display_name`, as in the HTML);
/// ``fields`` says how each is shown by `{% field form "name" %}`; ``validate()`` returns what is wrong,
/// by field name.
///
/// ```swift
/// struct NoteForm: Form {
///     var title = ""
///     var body = ""
///     static let fields = [FormField("title", label: "Title", required: true),
///                          FormField("body", label: "Text", widget: .textarea(rows: 12))]
///     func validate() -> [String: String] { title.isEmpty ? ["title": "Give your note a title."] : [:] }
/// }
/// let form = try request.decodeForm(NoteForm.self)
/// ```
public protocol Form: Codable, Sendable {
    /// How the fields are shown, in order.
    static var fields: [FormField] { get }
    /// The form with its values normalised (trimmed, line ends made LF): what is validated and saved.
    func cleaned() -> Self
    /// What is wrong, by field name; empty when the form can be saved.
    func validate() -> [String: String]
}

extension Form {
    /// No normalisation.
    public func cleaned() -> Self { self }

    /// The form as templates see it, `form` in the context: its values, its errors and how each field is
    /// shown, for `{% field form "title" %}`.
    public func templateValue(errors: [String: String] = [:]) throws -> TemplateValue {
        var fields: [String: TemplateValue] = [:]
        for field in Self.fields { fields[field.name] = field.templateValue }
        return ["values": try TemplateValue(encoding: self), "errors": .init(errors), "fields": .dictionary(fields)]
    }
}

/// How one form field is shown.
public struct FormField: Sendable {
    /// The kind of control.
    public enum Widget: Sendable {
        /// `<input type=...>` (`text`, `email`, `password`, `number`...).
        case input(type: String)
        /// A `<textarea>` of `rows` lines.
        case textarea(rows: Int)
    }

    /// The field's name (the HTML `name`, snake_case).
    public var name: String
    /// The label shown with it.
    public var label: String
    /// The control.
    public var widget: Widget
    /// Marked `required` in the HTML (the server still validates).
    public var required: Bool
    /// A hint under the control.
    public var help: String?
    /// The `autocomplete` attribute (`email`, `current-password`, `new-password`...).
    public var autocomplete: String?

    /// Describes a field.
    public init(_ name: String, label: String, widget: Widget = .input(type: "text"), required: Bool = false,
                help: String? = nil, autocomplete: String? = nil) {
        self.name = name
        self.label = label
        self.widget = widget
        self.required = required
        self.help = help
        self.autocomplete = autocomplete
    }

    var templateValue: TemplateValue {
        var value: [String: TemplateValue] = ["name": .string(name), "label": .string(label), "required": .bool(required)]
        switch widget {
        case .input(let type): value["type"] = .string(type)
        case .textarea(let rows): value["type"] = "textarea"; value["rows"] = .int(rows)
        }
        if let help { value["help"] = .string(help) }
        if let autocomplete { value["autocomplete"] = .string(autocomplete) }
        return .dictionary(value)
    }
}

extension Request {
    /// The posted form decoded into `type`, then ``Form/cleaned()``: each property from the field of its
    /// snake_case name. A missing text field is empty, a missing checkbox `false`; a number or an enum
    /// value that is missing or does not parse is a 400 naming the field (no page of this site sends one).
    public func decodeForm<F: Form>(_ type: F.Type) throws -> F {
        try F(from: FormFieldsDecoder(fields: try formFields)).cleaned()
    }
}

/// Why a posted form could not be decoded at all (a field the browser's controls cannot produce).
public struct FormFieldError: Error, HTTPResponseError, CustomStringConvertible {
    /// The field.
    public let field: String
    /// 400: the form was not sent by this site's page.
    public var status: HTTPStatus { .badRequest }
    public var publicMessage: String { "The form field '\(field)' has an invalid value." }
    public var description: String { publicMessage }
}

/// `Decoder` over url-encoded fields: a keyed container of strings.
private struct FormFieldsDecoder: Decoder {
    let fields: [String: String]
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(FormFieldsContainer<Key>(fields: fields))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a form decodes as a struct"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "a form decodes as a struct"))
    }
}

private struct FormFieldsContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let fields: [String: String]
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { fields.keys.compactMap { Key(stringValue: $0) } }

    private func text(_ key: Key) -> String? { fields[SnakeCase.convert(key.stringValue)] }

    func contains(_ key: Key) -> Bool { true }  // absent controls still have a value: empty, or false
    func decodeNil(forKey key: Key) throws -> Bool { text(key)?.isEmpty ?? true }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { text(key) ?? "" }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        // A checked checkbox sends its value ("on" by default); an unchecked one sends nothing.
        guard let value = text(key)?.lowercased(), !value.isEmpty else { return false }
        return !["0", "false", "off", "no"].contains(value)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let name = SnakeCase.convert(key.stringValue)
        // Numbers, enums with raw values and other single values read the field's text.
        do {
            return try T(from: FieldValueDecoder(text: fields[name] ?? "", bool: try decode(Bool.self, forKey: key)))
        } catch {
            throw FormFieldError(field: name)
        }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw FormFieldError(field: key.stringValue)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw FormFieldError(field: key.stringValue)
    }

    func superDecoder() throws -> any Decoder { FormFieldsDecoder(fields: fields) }
    func superDecoder(forKey key: Key) throws -> any Decoder { FormFieldsDecoder(fields: fields) }
}

/// One field's text as a single value: a `String`, a number, a `Bool`, or an enum's raw value.
private struct FieldValueDecoder: Decoder, SingleValueDecodingContainer {
    let text: String
    let bool: Bool
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    struct Invalid: Error {}

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw Invalid() }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw Invalid() }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { text.isEmpty }
    func decode(_ type: Bool.Type) throws -> Bool { bool }
    func decode(_ type: String.Type) throws -> String { text }
    func decode(_ type: Double.Type) throws -> Double { try number(Double.init) }
    func decode(_ type: Float.Type) throws -> Float { try number(Float.init) }
    func decode(_ type: Int.Type) throws -> Int { try number { Int($0) } }
    func decode(_ type: Int8.Type) throws -> Int8 { try number { Int8($0) } }
    func decode(_ type: Int16.Type) throws -> Int16 { try number { Int16($0) } }
    func decode(_ type: Int32.Type) throws -> Int32 { try number { Int32($0) } }
    func decode(_ type: Int64.Type) throws -> Int64 { try number { Int64($0) } }
    func decode(_ type: UInt.Type) throws -> UInt { try number { UInt($0) } }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try number { UInt8($0) } }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try number { UInt16($0) } }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try number { UInt32($0) } }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try number { UInt64($0) } }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }

    private func number<N>(_ parse: (String) -> N?) throws -> N {
        guard let value = parse(text.trimmingCharacters(in: .whitespaces)) else { throw Invalid() }
        if let double = value as? Double, !double.isFinite { throw Invalid() }
        return value
    }
}

extension Application {
    /// `{% field form "title" %}`: the labelled control of one field of a ``Form``'s template value, with
    /// its value, its error (and `aria-invalid`) and its hint; the markup of Django's default form
    /// rendering, in the classes of `Public/css/app.css`.
    static func fieldTag(arguments: [TemplateValue], context: TemplateVariables) throws -> TemplateValue {
        guard arguments.count == 2, !arguments[1].text.isEmpty else {
            throw TemplateError(kind: .render, template: "", line: 0, column: 0,
                                message: "{% field %} takes a form and a field name: {% field form \"title\" %}")
        }
        let form = arguments[0]
        let name = arguments[1].text
        guard let field = form.member(path: ["fields", name]) else {
            throw TemplateError(kind: .render, template: "", line: 0, column: 0, message: "the form has no field '\(name)'")
        }
        let value = form.member(path: ["values", name])?.text ?? ""
        let error = form.member(path: ["errors", name]).flatMap { $0.isTruthy ? $0.text : nil }
        let id = "id_" + name
        let label = field.member(path: ["label"])?.text ?? name
        let type = field.member(path: ["type"])?.text ?? "text"
        let identity = " id=\"\(escapeHTML(id))\" name=\"\(escapeHTML(name))\""
        var flags = ""
        if type != "textarea", let autocomplete = field.member(path: ["autocomplete"])?.text, !autocomplete.isEmpty {
            flags += " autocomplete=\"\(escapeHTML(autocomplete))\""
        }
        if field.member(path: ["required"])?.isTruthy == true { flags += " required" }
        if error != nil { flags += " aria-invalid=\"true\" aria-describedby=\"error_\(escapeHTML(name))\"" }
        var html = "<div class=\"field\(error == nil ? "" : " has-error")\">\n"
        html += "  <label for=\"\(escapeHTML(id))\">\(escapeHTML(label))</label>\n"
        if type == "textarea" {
            let rows = field.member(path: ["rows"])?.text ?? "12"
            html += "  <textarea\(identity) rows=\"\(escapeHTML(rows))\"\(flags)>\n\(escapeHTML(value))</textarea>\n"
        } else {
            // A password is never sent back to the browser.
            let shown = type == "password" ? "" : value
            html += "  <input\(identity) type=\"\(escapeHTML(type))\" value=\"\(escapeHTML(shown))\"\(flags)>\n"
        }
        if let error { html += "  <p class=\"field-error\" id=\"error_\(escapeHTML(name))\">\(escapeHTML(error))</p>\n" }
        if let help = field.member(path: ["help"])?.text, !help.isEmpty {
            html += "  <p class=\"field-help\">\(escapeHTML(help))</p>\n"
        }
        return .safeString(html + "</div>")
    }
}
