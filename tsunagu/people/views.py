import secrets
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse

from tsunagu.agencies.models import CASE_ROLES
from tsunagu.core.access import staff
from tsunagu.core.editing import apply_errors, versioned_edit
from tsunagu.core.services import create_once, created_for_key
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.people import access, grants, selectors, services
from tsunagu.people.forms import (
    HouseholdCreateForm,
    HouseholdEditForm,
    PersonCreateForm,
    PersonEditForm,
    PersonSearchForm,
)
from tsunagu.people.models import Person
from tsunagu.people.services import HOUSEHOLD_FIELDS, PERSON_FIELDS

PEOPLE_ROLES = CASE_ROLES


def _triage_url_or_empty(url: str) -> str:
    """The page a search result is picked for: only a triage page of this site, never a URL
    taken from the request as it is (no javascript: or outside links in result rows)."""
    try:
        match = resolve(url)
    except Resolver404:
        return ""
    return url if match.view_name == "intake:triage" and url.startswith("/") else ""


# The last searches of a session, by an opaque key: the search is sent by POST, so no name,
# kana or birth date ever appears in a URL, a browser's history or a proxy's access log
# (docs/decisions/0028-no-names-in-urls.md). The page's URL carries only the key, so the back
# button and a reload show the same results again, within the same session only.
SEARCHES_KEY = "tsunagu_person_searches"
SEARCHES_KEPT = 10
SEARCH_FIELDS = ("q", "birth_date", "decade", "district")


def _search_remember(request: AuthenticatedHttpRequest, data: dict[str, str]) -> str:
    searches = dict(request.session.get(SEARCHES_KEY, {}))
    token = secrets.token_urlsafe(12)
    searches[token] = data
    request.session[SEARCHES_KEY] = dict(list(searches.items())[-SEARCHES_KEPT:])
    return token


def _search_recalled(request: AuthenticatedHttpRequest) -> dict[str, str] | None:
    token = request.GET.get("s", "")
    data = request.session.get(SEARCHES_KEY, {}).get(token) if token else None
    return data if isinstance(data, dict) else None


@staff(PEOPLE_ROLES)
def person_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person search: criteria by POST (with the CSRF token), results in the answer; an htmx
    search swaps them in and puts ``?s=<key>`` in the address bar, which a GET shows again."""
    source: dict[str, str] | None
    if request.method == "POST":
        source = {name: request.POST.get(name, "") for name in SEARCH_FIELDS}
        pick = _triage_url_or_empty(request.POST.get("pick", ""))
    else:
        source = _search_recalled(request)
        pick = ""
    form = PersonSearchForm(source)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = selectors.person_search(
            user=request.user,
            q=data["q"],
            birth_date=data["birth_date"],
            decade=data["decade"],
            district_id=data["district"].pk if data["district"] else None,
        )
    htmx = bool(request.headers.get("HX-Request"))
    template = "people/_person_results.html" if htmx else "people/search.html"
    response = render(
        request,
        template,
        {"form": form, "result": result, "results": result.persons if result else None, "pick": pick},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
    if request.method == "POST" and htmx and not pick and source is not None and result is not None:
        response["HX-Push-Url"] = reverse("people:search") + "?" + urlencode({"s": _search_remember(request, source)})
    return response


@staff(("desk",))
def household_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = HouseholdCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household, _created = create_once(
                key=form.cleaned_data["submission_key"],
                user=request.user,
                create=lambda: services.household_create(
                    user=request.user, data=services.HouseholdData.from_cleaned(form.cleaned_data)
                ),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("people:household_detail", pk=household.pk)
    return render(
        request, "people/household_form.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@staff(PEOPLE_ROLES)
def household_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = access.household_get_for_user(request.user, pk)
    members = list(household.members.order_by("pk"))
    # The cases, from cases (people may not import it); those the user may not open are shown
    # by number, not linked.
    cases = grants.household_cases(request.user, household)
    context = {
        "household": household,
        "members": members,
        "cases": cases.cases,
        "openable": cases.openable,
        "is_8050": household.derived_8050(members),
        # Emergency access reads only: no 修正 / 世帯員を追加 that would answer 404.
        "can_write": access.households_visible_to(request.user, write=True).filter(pk=household.pk).exists(),
    }
    return render(request, "people/household_detail.html", context)


@staff(PEOPLE_ROLES)
def household_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    household = access.household_get_for_user(request.user, pk, write=True)
    return versioned_edit(
        request,
        form_class=HouseholdEditForm,
        template="people/household_form.html",
        context={"household": household},
        initial={name: getattr(household, name) for name in HOUSEHOLD_FIELDS} | {"version": household.version},
        save=lambda data: services.household_update(
            user=request.user,
            household=household,
            expected_version=data["version"],
            data=services.HouseholdData.from_cleaned(data),
        ),
        done=reverse("people:household_detail", kwargs={"pk": household.pk}),
    )


@staff(PEOPLE_ROLES)
def person_create(request: AuthenticatedHttpRequest, household_pk: int) -> HttpResponse:
    household = access.household_get_for_user(request.user, household_pk, write=True)
    form = PersonCreateForm(request.POST or None)
    similar = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        earlier = created_for_key(data["submission_key"])
        if isinstance(earlier, Person):
            return redirect("people:person_detail", pk=earlier.pk)
        try:
            similar = services.person_check_duplicate(
                user=request.user,
                family_name=data["family_name"],
                given_name=data["given_name"],
                family_name_kana=data["family_name_kana"],
                given_name_kana=data["given_name_kana"],
                birth_date=data["birth_date"],
                confirmed_different=data["not_duplicate"],
            )
        except services.PossibleDuplicate as exc:
            similar = exc.similar
            apply_errors(form, exc)
        else:
            try:
                person, _created = create_once(
                    key=data["submission_key"],
                    user=request.user,
                    create=lambda: services.person_create(
                        user=request.user, household=household, data=services.PersonData.from_cleaned(data)
                    ),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("people:person_detail", pk=person.pk)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "household": household, "similar": similar},
        status=400 if request.method == "POST" else 200,
    )


@staff(PEOPLE_ROLES)
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.person_get_for_user(request.user, pk)
    can_write = access.persons_visible_to(request.user, write=True).filter(pk=person.pk).exists()
    return render(request, "people/person_detail.html", {"person": person, "can_write": can_write})


@staff(PEOPLE_ROLES)
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = access.person_get_for_user(request.user, pk, write=True)
    return versioned_edit(
        request,
        form_class=PersonEditForm,
        template="people/person_form.html",
        context={"person": person, "household": person.household},
        initial={name: getattr(person, name) for name in PERSON_FIELDS}
        | {"withdrawal_since": person.withdrawal_since_approx, "version": person.version},
        save=lambda data: services.person_update(
            user=request.user,
            person=person,
            expected_version=data["version"],
            data=services.PersonData.from_cleaned(data),
        ),
        done=reverse("people:person_detail", kwargs={"pk": person.pk}),
    )
