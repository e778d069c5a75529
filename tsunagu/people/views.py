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


@staff(PEOPLE_ROLES)
def person_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
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
    template = "people/_person_results.html" if request.headers.get("HX-Request") else "people/search.html"
    pick = _triage_url_or_empty(request.GET.get("pick", ""))
    return render(
        request,
        template,
        {"form": form, "result": result, "results": result.persons if result else None, "pick": pick},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


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
