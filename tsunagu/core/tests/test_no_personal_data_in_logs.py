"""S10: no personal data in logs or URLs, shown by a canary run.

Persons, a household and consultations get names and free texts that are unique canary strings
(kanji, katakana and hiragana, with a random part). Then the app is driven through searches,
detail pages, forms with errors and with hostile input, other agencies' objects (404), a forced
500, the public form, failed sign-ins with a canary as the user name, a form without its CSRF
token and htmx requests. Every log record emitted, at any level and by any logger, is captured
(formatted with its arguments and its traceback), as is everything written to stdout and
stderr: no canary may be in any of them, nor in any URL the app redirects to or links to
(``Location``, ``HX-Redirect``, ``HX-Push-Url``, ``href``, ``src``, ``action`` and ``hx-*``).
"""

import logging
import re
import secrets
import uuid
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from tsunagu.core.tests.personas import PASSWORD, client_for
from tsunagu.intake.tests.factories import consultation_make
from tsunagu.people.tests.factories import household_make, person_make

KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
KANJI = "金糸雀籠鳴羽翼巣森林空雲星月花雪風光影"
LOGGERS = ("", "django", "django.request", "django.security", "django.server", "axes", "gunicorn", "tsunagu")


def canary(alphabet: str = KANJI, n: int = 6) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


class Canaries:
    """Unique strings; a string is found in a text if any one of its canaries is."""

    def __init__(self) -> None:
        self.values: list[str] = []

    def new(self, value: str) -> str:
        self.values.append(value)
        return value

    def found_in(self, text: str) -> list[str]:
        return [value for value in self.values if value in text]


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.lines: list[str] = []
        self.formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        # The message with its arguments, the traceback and any extra attributes of the record.
        self.lines.append(self.format(record))
        self.lines.append(repr(vars(record).get("args")))
        extra = {
            k: v for k, v in vars(record).items() if k not in logging.LogRecord("", 0, "", 0, "", (), None).__dict__
        }
        if extra:
            self.lines.append(repr(extra))


class _Urls(HTMLParser):
    URL_ATTRIBUTES = ("href", "src", "action", "formaction")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (name in self.URL_ATTRIBUTES or name.startswith(("hx-", "data-hx-"))):
                self.urls.append(f"<{tag} {name}={value}>")


@pytest.fixture
def captured_logs(settings):
    """Every record of every logger, DEBUG included, for the duration of the test."""
    handler = _Capture()
    saved = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = (logger.level, logger.disabled)
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for name in LOGGERS:
            logger = logging.getLogger(name)
            logger.removeHandler(handler)
            logger.setLevel(saved[name][0])
            logger.disabled = saved[name][1]


@pytest.mark.django_db
def test_a_fuzz_run_leaves_no_canary_in_logs_or_urls(world, users, captured_logs, capfd, settings):
    settings.DEBUG = False
    settings.PUBLIC_FORM_RATE = "100000/h"
    c = Canaries()
    family, given = c.new("金糸雀" + canary()), c.new(canary())
    family_kana, given_kana = c.new("カナリア" + canary(KATAKANA)), c.new(canary(KATAKANA))
    household = household_make(label=c.new("カナリア世帯" + canary()), district_code="ikejiri")
    person = person_make(
        household,
        family_name=family,
        given_name=given,
        family_name_kana=family_kana,
        given_name_kana=given_kana,
        birth_date="1988-03-04",
    )
    summary = c.new("かなりあの相談" + canary())
    waiting = consultation_make(
        summary=summary, contact_name=c.new("カナリア相談者" + canary()), household=household, person=person
    )
    desk = client_for(users["desk"])
    lead = client_for(users["lead_worker"])
    outsider = client_for(users["outsider"])
    responses = []

    def keep(response):
        responses.append(response)
        return response

    search = reverse("people:search")
    hostile = [
        family,
        f"{family} {given}",
        family_kana.lower(),
        f"<script>{given}</script>",
        f'" hx-get="/{given}" x="',
        f"{family}\u202e{given}",
        f"{family}😀",  # no emoji in a name: a field error
        family * 20,  # too long: a field error
    ]
    for term in hostile:
        keep(desk.post(search, {"q": term}))
        keep(desk.post(search, {"q": term, "birth_date": f"{given}年"}))
        pushed = keep(desk.post(search, {"q": term}, headers={"HX-Request": "true"}))
        if "HX-Push-Url" in pushed:
            keep(desk.get(pushed["HX-Push-Url"]))
        keep(desk.post(search, {"q": term, "pick": f"/staff/desk/consultations/{waiting.pk}/triage/"}))
    # An old bookmark or a hand-made URL: the name is not searched, and nothing links back to it.
    keep(desk.get(search, {"q": family}))

    # Detail pages and forms, as the desk and as the team.
    keep(desk.get(reverse("people:person_detail", args=[person.pk])))
    keep(desk.get(reverse("people:household_detail", args=[household.pk])))
    keep(desk.get(reverse("intake:detail", args=[waiting.pk])))
    keep(desk.get(reverse("intake:triage", args=[waiting.pk])))
    keep(desk.get(reverse("intake:triage", args=[waiting.pk]), {"person": person.pk}))
    keep(desk.get(reverse("intake:queue"), {"show": "all"}))
    keep(desk.get(reverse("intake:queue"), headers={"HX-Request": "true", "X-Tsunagu-Poll": "1"}))
    keep(
        desk.post(
            reverse("people:person_edit", args=[person.pk]),
            {"family_name": family + "😀", "given_name": given, "family_name_kana": given, "version": "x"},
        )
    )
    keep(
        desk.post(
            reverse("people:person_create", args=[household.pk]),
            {
                "submission_key": str(uuid.uuid4()),
                "family_name": family,
                "given_name": given,
                "family_name_kana": family_kana,
                "given_name_kana": given_kana,
                "birth_date": "昭和63年3月4日",
            },
        )
    )
    keep(desk.post(reverse("intake:triage", args=[waiting.pk]), {"household_mode": "new", "label": family}))
    keep(lead.get(reverse("cases:detail", args=[world.case.pk])))
    keep(
        lead.post(
            reverse("records:create", args=[world.case.pk]),
            {"submission_key": str(uuid.uuid4()), "summary": c.new("記録" + canary()), "occurred_on": given},
        )
    )
    keep(
        lead.post(
            reverse("records:create", args=[world.case.pk]),
            {
                "submission_key": str(uuid.uuid4()),
                "occurred_on": "令和8年11月20日",
                "method": "home_visit",
                "reached": "yes",
                "persons": [world.person.pk],
                "summary": c.new("訪問記録" + canary()),
                "next_action": c.new("次回" + canary()),
            },
        )
    )

    # Other agencies' objects: 404, and the refusal is logged by id only.
    keep(outsider.get(reverse("people:person_detail", args=[person.pk])))
    keep(outsider.get(reverse("people:household_detail", args=[household.pk])))
    keep(outsider.post(search, {"q": family}))
    keep(desk.get(f"/staff/no-such-page/{person.pk}/"))

    # A forced 500 in the middle of a search for a canary name.
    failing = client_for(users["desk"])
    failing.raise_request_exception = False
    with mock.patch("tsunagu.people.selectors.person_search", side_effect=RuntimeError("search failed")):
        keep(failing.post(search, {"q": family}))
        keep(failing.post(search, {"q": family}, headers={"HX-Request": "true"}))

    # The public form: accepted, refused on a field, a filled honeypot, no CSRF token.
    public = reverse("public:request")
    public_text = {
        "summary": c.new("公開フォームの相談" + canary()),
        "contact_name": c.new("カナリア" + canary(KATAKANA)),
        "contact_preference": "phone",
        "contact_phone": "03-0000-0000",
    }
    base = {
        "submission_key": str(uuid.uuid4()),
        "contact_type": "family",
        "contact_relation": "mother",
        "concerns": ["withdrawal"],
    }
    keep(Client().post(public, base | public_text, REMOTE_ADDR="192.0.2.40"))
    keep(Client().post(public, base | public_text | {"contact_phone": given}, REMOTE_ADDR="192.0.2.41"))
    keep(Client().post(public, base | public_text | {"website": given}, REMOTE_ADDR="192.0.2.42"))
    keep(Client(enforce_csrf_checks=True).post(public, base | public_text, REMOTE_ADDR="192.0.2.43"))

    # Failed sign-ins with a canary as the user name (up to the lockout), and one without CSRF.
    login = reverse("login")
    name_tried = c.new("カナリア" + canary(KATAKANA))
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        keep(Client().post(login, {"username": name_tried, "password": PASSWORD}, REMOTE_ADDR="192.0.2.50"))
    keep(Client().post(login, {"username": family, "password": given}, REMOTE_ADDR="192.0.2.51"))
    keep(Client(enforce_csrf_checks=True).post(login, {"username": family, "password": given}))
    # The administrator's security log shows the failed sign-ins: not in a URL.
    keep(client_for(users["supervisor"]).get(reverse("security:log")))

    assert len(responses) > 60
    statuses = {r.status_code for r in responses}
    assert {200, 302, 400, 403, 404, 500} <= statuses, statuses

    leaks = []
    for response in responses:
        for header in ("Location", "HX-Redirect", "HX-Push-Url", "HX-Location"):
            if header in response and c.found_in(response[header]):
                leaks.append(f"{header}: {response[header]}")
        if response.get("Content-Type", "").startswith("text/html"):
            parser = _Urls()
            parser.feed(response.content.decode())
            leaks += [url for url in parser.urls if c.found_in(url)]
    assert leaks == []

    logged = "\n".join(captured_logs.lines)
    assert captured_logs.lines, "nothing was logged: the capture is not working"
    assert re.search(r"Internal Server Error: /staff/people/", logged)
    assert c.found_in(logged) == [], [line for line in captured_logs.lines if c.found_in(line)][:5]
    out, err = capfd.readouterr()
    assert c.found_in(out + err) == []
