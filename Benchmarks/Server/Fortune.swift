import Croft

/// One row of the TechEmpower `fortune` table, and the page that lists them.
struct Fortune: Sendable {
    var id: Int
    var message: String
}

extension Fortune {
    static let selectAll = "SELECT id, message FROM fortune"
    static let additional = Fortune(id: 0, message: "Additional fortune added at request time.")

    /// The templates, in CroftTemplates' Django syntax: a base with a block, the page extends it,
    /// and `{{ fortune.message }}` is HTML-escaped by autoescaping (the test's `<script>` row).
    static let templates = DictionaryLoader([
        "base.html": "<!DOCTYPE html><html><head><title>Fortunes</title></head><body>{% block content %}{% endblock %}</body></html>",
        "fortunes.html": """
            {% extends "base.html" %}{% block content %}<table><tr><th>id</th><th>message</th></tr>\
            {% for fortune in fortunes %}<tr><td>{{ fortune.id }}</td><td>{{ fortune.message }}</td></tr>{% endfor %}\
            </table>{% endblock %}
            """,
    ])

    /// Every row, read through the cached statement.
    static func fetchAll(from db: Connection) throws -> [Fortune] {
        var fortunes: [Fortune] = []
        fortunes.reserveCapacity(16)
        try db.each(selectAll) { statement in
            fortunes.append(Fortune(id: Int(statement.int64(at: 0)), message: statement.string(at: 1)))
        }
        return fortunes
    }

    /// The template context for `fortunes`, built directly as template values (no reflection).
    static func context(_ fortunes: [Fortune]) -> [String: TemplateValue] {
        ["fortunes": .array(fortunes.map { .dictionary(["id": .int($0.id), "message": .string($0.message)]) })]
    }
}
