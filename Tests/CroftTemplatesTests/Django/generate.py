#!/usr/bin/env python3
"""Render the Django parity cases with real Django and record what it printed.

DjangoParityTests.swift renders the same templates with CroftTemplates and compares the output
byte for byte with what this script recorded. CI never runs this script (it needs Python and
Django); the comparison runs in every `swift test`.

Inputs and outputs, all in this folder:

- cases.json        the cases Croft must render exactly as Django does:
                    [{"name", "template", "context"}]
- expected.json     written here: {name: output} for every case in cases.json
- differences.json  the documented differences: [{"name", "template", "context", "django", "croft",
                    "reason"}]; this script rewrites only the "django" field, the Swift test checks
                    that Croft still prints "croft", so a difference cannot drift silently.

Contexts are JSON: object -> dict, array -> list, string -> str, integer -> int, number with a
fraction or exponent -> float, true/false -> bool, null -> None. Two extensions: an object
{"$datetime": "2024-03-05T14:07:09Z"} is an aware datetime (a Swift `Date` on Croft's side), and a
top-level "request": {"$query": "a=1&b=2"} is a request whose GET is that query, rendered with a
RequestContext as a view would (`request.query_string` and `request.GET` on Croft's side).

Settings: autoescape on, USE_TZ=True, TIME_ZONE="UTC", the DjangoTemplates backend.
If Django raises while rendering a case, the output is recorded as {"error": "<exception name>"}
and the Swift test expects Croft to throw too.

Re-run after editing cases.json or differences.json (Django 5.2, e.g. from the bench venv):

    ../shared/bench/peers/django/.venv/bin/python Tests/CroftTemplatesTests/Django/generate.py

or anywhere with `pip install "django==5.2.*"`:

    python3 Tests/CroftTemplatesTests/Django/generate.py

then run `swift test --filter DjangoParityTests`. With CROFT_PARITY_DUMP=/tmp/croft.json set, the
Swift test also writes what Croft printed for every case, to fill in the "croft" field of a new
difference.
"""

import datetime
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

try:
    import django
    from django.conf import settings
except ImportError:
    sys.exit('Django is not installed: pip install "django==5.2.*" (or use ../shared/bench/peers/django/.venv)')

if django.VERSION[:2] != (5, 2):
    sys.exit(f"expected Django 5.2, found {django.get_version()}: pip install \"django==5.2.*\"")

settings.configure(
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "OPTIONS": {"autoescape": True}}],
    USE_TZ=True,
    TIME_ZONE="UTC",
)
django.setup()

from django.http import QueryDict  # noqa: E402  (needs the settings above)
from django.template import Context, RequestContext, Template  # noqa: E402


def to_python(value):
    """The context value a Django view would pass for this JSON value."""
    if isinstance(value, dict):
        if set(value) == {"$datetime"}:
            moment = datetime.datetime.fromisoformat(value["$datetime"])
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=datetime.timezone.utc)
            return moment
        return {key: to_python(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_python(item) for item in value]
    return value


class Request:
    """The part of an HttpRequest templates read: GET."""

    def __init__(self, query):
        self.GET = QueryDict(query)


def render(case):
    try:
        context = dict(case["context"])
        query = context.get("request")
        if isinstance(query, dict) and set(query) == {"$query"}:
            request = Request(query["$query"])
            values = to_python({key: value for key, value in context.items() if key != "request"})
            values["request"] = request
            return Template(case["template"]).render(RequestContext(request, values))
        return Template(case["template"]).render(Context(to_python(context)))
    except Exception as error:  # a template error is an outcome too: Croft must throw as well
        return {"error": type(error).__name__}


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as file:
        return json.load(file)


def dump(name, value):
    """Writes JSON with one case (or one name: output) per line, so a diff shows what changed."""
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as file:
        if not value:
            file.write(json.dumps(value) + "\n")
        elif isinstance(value, dict):
            file.write("{\n")
            items = [f"  {json.dumps(key, ensure_ascii=False)}: {json.dumps(item, ensure_ascii=False)}"
                     for key, item in value.items()]
            file.write(",\n".join(items))
            file.write("\n}\n")
        else:
            file.write("[\n")
            file.write(",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in value))
            file.write("\n]\n")


def main():
    cases = load("cases.json")
    names = [case["name"] for case in cases]
    differences = load("differences.json")
    duplicates = {name for name in names + [d["name"] for d in differences]
                  if (names + [d["name"] for d in differences]).count(name) > 1}
    if duplicates:
        sys.exit(f"duplicate case names: {sorted(duplicates)}")

    expected = {case["name"]: render(case) for case in cases}
    dump("expected.json", expected)

    changed = []
    for difference in differences:
        django_output = render(difference)
        if difference.get("django") != django_output:
            changed.append(difference["name"])
        difference["django"] = django_output
        if difference["django"] == difference.get("croft"):
            print(f"note: {difference['name']} is no longer a difference; move it to cases.json")
    dump("differences.json", differences)

    errors = [name for name, output in expected.items() if isinstance(output, dict)]
    print(f"Django {django.get_version()}: {len(expected)} cases, {len(differences)} differences"
          + (f", {len(errors)} expected errors" if errors else ""))
    if changed:
        print("Django's output changed for these differences:", ", ".join(changed))


if __name__ == "__main__":
    main()
