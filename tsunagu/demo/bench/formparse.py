"""What a browser would submit from a form page, read from its HTML: the hidden inputs (the CSRF
token, the submission key), the text inputs' values and the checked radios and checkboxes.

Standard library only: both the benchmark command (``client.py``) and the locust process
(``locustfile.py``, which does not set up Django) use it. Enough for the project's own forms,
which render ``<input>`` elements through Django's widgets; not a general HTML parser.
"""

import html
import re
from urllib.parse import urlencode

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)
INPUT = re.compile(r"<input\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w:-]+)(?:\s*=\s*"([^"]*)")?')
SUBMITTED_TYPES = {"hidden", "text", "date", "email", "number", "tel", "search", "url", ""}


def form(page: str, css_class: str) -> str:
    """The inside of the page's first ``<form>`` with this class (the staff layout has forms of its
    own, such as signing out); raises ValueError if there is none."""
    for match in FORM.finditer(page):
        attrs = dict(ATTRIBUTE.findall(match.group(1)))
        if css_class in attrs.get("class", "").split():
            return match.group(2)
    raise ValueError(f"no form of class {css_class!r} on the page")


def inputs(page: str) -> list[dict[str, str]]:
    """Every ``<input>`` of the page as its attributes (names lower-cased, values unescaped; a bare
    attribute such as ``checked`` maps to "")."""
    found = []
    for match in INPUT.finditer(page):
        found.append({name.lower(): html.unescape(value or "") for name, value in ATTRIBUTE.findall(match.group(1))})
    return found


def defaults(page: str) -> dict[str, list[str]]:
    """What submitting the page's form unchanged would send, field name → values."""
    data: dict[str, list[str]] = {}
    for attrs in inputs(page):
        name, kind = attrs.get("name"), attrs.get("type", "").lower()
        if not name or "disabled" in attrs:
            continue
        if kind in SUBMITTED_TYPES or (kind in ("radio", "checkbox") and "checked" in attrs):
            data.setdefault(name, []).append(attrs.get("value", ""))
    return data


def options(page: str, name: str) -> list[str]:
    """The values a radio or checkbox group offers, in page order."""
    return [attrs.get("value", "") for attrs in inputs(page) if attrs.get("name") == name]


def record_form_data(page: str, summary: str) -> dict[str, list[str]]:
    """A progress record as a caseworker saves it after a home visit: the form's defaults (today,
    the concerned persons, reached), the method, a summary. Raises ValueError without the CSRF
    token or the submission key, which every save must carry from its own form."""
    page = form(page, "record-form")
    data = defaults(page)
    for required in ("csrfmiddlewaretoken", "submission_key"):
        if not data.get(required, [""])[0]:
            raise ValueError(f"the record form has no {required}")
    data["method"] = ["home_visit"]
    if not data.get("persons"):
        data["persons"] = options(page, "persons")[:1]
    data["summary"] = [summary]
    return data


def encode(data: dict[str, list[str]]) -> str:
    return urlencode(data, doseq=True)
