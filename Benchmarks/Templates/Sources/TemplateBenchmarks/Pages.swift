/// The two benchmark pages, written once per engine's syntax.
enum Pages {
    static let fortunesBase = """
        <!DOCTYPE html><html><head><title>Fortunes</title></head><body>{% block content %}{% endblock %}</body></html>
        """
    static let fortunes = """
        {% extends "base.html" %}{% block content %}<table><tr><th>id</th><th>message</th></tr>\
        {% for fortune in fortunes %}<tr><td>{{ fortune.id }}</td><td>{{ fortune.message }}</td></tr>{% endfor %}\
        </table>{% endblock %}
        """
    static let dashboardBase = """
        <!DOCTYPE html><html><head><title>{% block title %}Croft{% endblock %}</title>\
        <link rel="stylesheet" href="/static/app.css"></head><body><nav>{% for link in nav %}\
        <a href="{{ link.url }}"{% if link.active %} class="active"{% endif %}>{{ link.label }}</a>{% endfor %}</nav>\
        <main>{% block content %}{% endblock %}</main><footer>{{ site.name }} · {{ site.year }}</footer></body></html>
        """
    static let dashboard = """
        {% extends "dash_base.html" %}{% block title %}Dashboard · {{ user.name }}{% endblock %}{% block content %}\
        <h1>Welcome back, {{ user.name }}</h1>{% if user.isStaff %}<p class="staff">Staff tools enabled</p>\
        {% else %}<p>Member</p>{% endif %}<table>{% for note in notes %}\
        <tr class="{% if note.pinned %}pinned{% else %}row{% endif %}"><td>{{ note.id }}</td>\
        <td><a href="/notes/{{ note.id }}">{{ note.title }}</a></td><td>{{ note.author.name }}</td>\
        <td>{% for tag in note.tags %}<span class="tag">{{ tag }}</span>{% endfor %}</td>\
        <td>{{ note.updated }}</td><td>{{ note.excerpt }}</td></tr>{% endfor %}</table>{% endblock %}
        """

    /// Stencil does not autoescape: every text variable gets an explicit `escape` filter.
    static func stencil(_ template: String) -> String {
        var output = template
        for name in ["fortune.message", "link.label", "link.url", "site.name", "user.name", "note.title",
                     "note.author.name", "tag", "note.updated", "note.excerpt"] {
            output = output.replacingOccurrences(of: "{{ \(name) }}", with: "{{ \(name)|escape }}")
        }
        return output
    }

    static let mustacheFortunesBase = """
        <!DOCTYPE html><html><head><title>Fortunes</title></head><body>{{$content}}{{/content}}</body></html>
        """
    static let mustacheFortunes = """
        {{<base}}{{$content}}<table><tr><th>id</th><th>message</th></tr>\
        {{#fortunes}}<tr><td>{{id}}</td><td>{{message}}</td></tr>{{/fortunes}}</table>{{/content}}{{/base}}
        """
    static let mustacheDashboardBase = """
        <!DOCTYPE html><html><head><title>{{$title}}Croft{{/title}}</title>\
        <link rel="stylesheet" href="/static/app.css"></head><body><nav>{{#nav}}\
        <a href="{{url}}"{{#active}} class="active"{{/active}}>{{label}}</a>{{/nav}}</nav>\
        <main>{{$content}}{{/content}}</main><footer>{{site.name}} · {{site.year}}</footer></body></html>
        """
    static let mustacheDashboard = """
        {{<dash_base}}{{$title}}Dashboard · {{user.name}}{{/title}}{{$content}}\
        <h1>Welcome back, {{user.name}}</h1>{{#user.isStaff}}<p class="staff">Staff tools enabled</p>{{/user.isStaff}}\
        {{^user.isStaff}}<p>Member</p>{{/user.isStaff}}<table>{{#notes}}\
        <tr class="{{#pinned}}pinned{{/pinned}}{{^pinned}}row{{/pinned}}"><td>{{id}}</td>\
        <td><a href="/notes/{{id}}">{{title}}</a></td><td>{{author.name}}</td>\
        <td>{{#tags}}<span class="tag">{{.}}</span>{{/tags}}</td>\
        <td>{{updated}}</td><td>{{excerpt}}</td></tr>{{/notes}}</table>{{/content}}{{/dash_base}}
        """
}
