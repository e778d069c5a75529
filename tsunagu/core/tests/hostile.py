"""Hostile names and an HTML check: a name shows as text, never as markup or an attribute.

The names are invented attack strings (issue 8, defect 2): quotes that close an attribute, htmx
attributes that would post in the viewer's name, ``<``/``>``/``&``, template braces and a closing
``</svg>``. Each fits its model field (family and given name 40 characters, labels 60): tested.
"""

from html.parser import HTMLParser

# The attack from the issue, split over family and given name: the full name is the exact string.
HOSTILE_FAMILY = '" hx-post="/staff/cases/1/team/2/end/"'
HOSTILE_GIVEN = 'hx-include="*" hx-trigger="load" x="'
HOSTILE_FULL = f"{HOSTILE_FAMILY} {HOSTILE_GIVEN}"
HOSTILE_PERSON_LABEL = "' onmouseover='alert(1)' hx-get=\"/x\" </svg>{{ 7 }}"
HOSTILE_HOUSEHOLD_LABEL = '"><img src onerror=alert(1)>&lt;{{x}}</svg>hx-vals=\'{"a":1}\''

# Attributes the hostile strings try to create; a page must never carry one of these with a value
# that came from a name (the app's own htmx attributes are hx-get/hx-target/hx-trigger/… on known
# elements, never hx-include/hx-vals and never an event handler; its one hx-post is the person
# search's form, which posts to its own action, decision 0028).
FORBIDDEN_ATTRIBUTES = {"hx-post", "hx-include", "hx-vals"}
# Fragments that only a hostile name puts into an attribute value.
MARKERS = ("/team/2/end/", "alert(1)", '"a":1', "onmouseover", "onerror")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def injected_attributes(html: str) -> list[str]:
    """Every element attribute that a hostile name created or filled (should be empty)."""
    found = []
    for tag, attrs in parse(html).elements:
        for name, value in attrs:
            own_form_post = name == "hx-post" and tag == "form" and value == dict(attrs).get("action")
            created = (name in FORBIDDEN_ATTRIBUTES and not own_form_post) or name.startswith("on")
            filled = name.startswith(("hx-", "data-hx-")) and any(m in (value or "") for m in MARKERS)
            if created or filled:
                found.append(f"<{tag} {name}={value!r}>")
        if tag in ("img", "iframe", "object", "embed") or (tag == "script" and not dict(attrs).get("src")):
            found.append(f"<{tag}>")
    return found


def shown_as_text(html: str, *strings: str) -> list[str]:
    """The strings that do NOT appear as text content of the page (should be empty).

    Text inside attribute values (a form's ``value="…"``) counts too, as long as it is a value.
    """
    collector = parse(html)
    text = "".join(collector.text)
    values = [v or "" for _tag, attrs in collector.elements for _n, v in attrs]
    return [s for s in strings if s not in text and not any(s in v for v in values)]
