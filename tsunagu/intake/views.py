from typing import Any

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.selectors import staff_agency
from tsunagu.core.access import staff
from tsunagu.core.conflict import rebased, stale
from tsunagu.core.editing import apply_errors, versioned_edit
from tsunagu.core.middleware import is_poll
from tsunagu.core.services import ConflictError
from tsunagu.intake import access, selectors, services
from tsunagu.intake.forms import (
    ConsultationCreateForm,
    ConsultationEditForm,
    TriageForm,
    TriageHouseholdForm,
    TriagePersonForm,
)
from tsunagu.intake.models import Consultation, FamilyRelation
from tsunagu.intake.routing import Facts, suggest
from tsunagu.intake.services import CONSULTATION_FIELDS, TriageDecision
from tsunagu.lib.ages import estimate_age
from tsunagu.people import access as people_access
from tsunagu.people.models import Household, Person, Relation
from tsunagu.people.selectors import person_find_similar
from tsunagu.people.services import district_for_postal_code

DESK = ("desk",)
CONTACT_RELATION_TO_PERSON = {
    FamilyRelation.MOTHER: Relation.MOTHER,
    FamilyRelation.FATHER: Relation.FATHER,
    FamilyRelation.SIBLING: Relation.SIBLING,
    FamilyRelation.SPOUSE: Relation.SPOUSE,
    FamilyRelation.GRANDPARENT: Relation.GRANDPARENT,
}


@staff(DESK)
def queue(request: HttpRequest) -> HttpResponse:
    show = "all" if request.GET.get("show") == "all" else "open"
    rows = selectors.desk_queue(user=request.user, show=show, poll=is_poll(request))
    template = "intake/_queue_rows.html" if request.headers.get("HX-Request") else "intake/queue.html"
    return render(request, template, {"rows": rows, "show": show})


@staff(DESK)
def consultation_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ConsultationCreateForm(request.POST)
        if form.is_valid():
            try:
                consultation, _created = services.consultation_create(
                    user=request.user, data=form.cleaned_data, key=form.cleaned_data["submission_key"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("intake:detail", pk=consultation.pk)
        return render(request, "intake/consultation_form.html", {"form": form}, status=400)
    form = ConsultationCreateForm(initial={"received_at": timezone.localtime().replace(second=0, microsecond=0)})
    return render(request, "intake/consultation_form.html", {"form": form})


@staff(("desk", "caseworker", "supervisor"))
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = access.consultation_get_for_user(request.user, pk)
    context = {"c": consultation, "received_by_agency": staff_agency(consultation.received_by, prefer_roles=DESK)}
    return render(request, "intake/consultation_detail.html", context)


@staff(DESK)
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = access.consultation_get_for_user(request.user, pk, write=True)
    initial = {name: getattr(consultation, name) for name in CONSULTATION_FIELDS}
    initial |= {"received_at": timezone.localtime(consultation.received_at), "version": consultation.version}
    return versioned_edit(
        request,
        form_class=ConsultationEditForm,
        template="intake/consultation_form.html",
        context={"consultation": consultation},
        initial=initial,
        save=lambda data: services.consultation_update(
            user=request.user, consultation=consultation, expected_version=data["version"], data=data
        ),
        done=reverse("intake:detail", kwargs={"pk": consultation.pk}),
    )


def _facts(
    consultation: Consultation,
    *,
    household: Household | None,
    household_data: dict[str, Any] | None,
    person: Person | None,
    person_data: dict[str, Any] | None,
    contact_decade: int | None,
) -> Facts:
    today = timezone.localdate()
    source: Any = person if person is not None else person_data or {}
    get = (lambda name: getattr(source, name)) if person is not None else (lambda name: source.get(name))
    birth_date, decade = get("birth_date"), get("approx_decade")
    age, estimated = estimate_age(birth_date=birth_date, decade=decade, today=today)
    elderly: list[int] = []
    if household is not None:
        for member in household.members.all():
            member_age, _est = estimate_age(birth_date=member.birth_date, decade=member.approx_decade, today=today)
            if member_age is not None:
                elderly.append(member_age)
    if contact_decade is not None:
        elderly.append(contact_decade + 5)
    district = None
    if household is not None:
        district = household.district
    elif household_data:
        district = household_data.get("district") or district_for_postal_code(household_data.get("postal_code", ""))
    return Facts(
        age=age,
        birth_date=birth_date,
        today=today,
        age_is_estimate=estimated,
        disability=get("disability") or "unknown",
        elderly_ages=elderly,
        elderly_flag=bool(
            household.sig_elderly_parent if household else (household_data or {}).get("sig_elderly_parent")
        ),
        concerns=list(consultation.concerns),
        urgent=consultation.urgent,
        area_id=district.area_id if district else None,
        district_id=district.pk if district else None,
    )


@staff(DESK)
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = access.consultation_get_for_user(request.user, pk, write=True)
    if consultation.is_triaged:
        return redirect("intake:detail", pk=consultation.pk)
    picked_person = None
    picked_household = None
    source = request.POST if request.method == "POST" else request.GET
    if source.get("person") or source.get("person_id"):
        picked_person = people_access.person_get_for_user(
            request.user, int(source.get("person_id") or source["person"])
        )
        picked_household = picked_person.household
    elif source.get("household") or source.get("household_id"):
        picked_household = people_access.household_get_for_user(
            request.user, int(source.get("household_id") or source["household"])
        )

    if request.method != "POST":
        form = TriageForm(
            initial={
                "version": consultation.version,
                "household_mode": "existing" if picked_household else "none",
                "household_id": picked_household.pk if picked_household else None,
                "person_mode": "existing" if picked_person else "none",
                "person_id": picked_person.pk if picked_person else None,
            }
        )
        hh_form = TriageHouseholdForm()
        p_form = TriagePersonForm(initial={"relation": "son" if consultation.contact_type == "family" else "unknown"})
        suggestions = []
        if picked_household or picked_person:
            suggestions = suggest(
                _facts(
                    consultation,
                    household=picked_household,
                    household_data=None,
                    person=picked_person,
                    person_data=None,
                    contact_decade=None,
                )
            )
        return render(
            request,
            "intake/triage.html",
            {
                "c": consultation,
                "form": form,
                "hh_form": hh_form,
                "p_form": p_form,
                "picked_person": picked_person,
                "picked_household": picked_household,
                "suggestions": suggestions,
            },
        )

    form = TriageForm(request.POST)
    hh_form = TriageHouseholdForm(request.POST)
    p_form = TriagePersonForm(request.POST)
    valid = form.is_valid()
    # Fields that are valid on their own are in cleaned_data even when the whole form is not,
    # so suggestions can be shown before the desk has chosen a lead.
    mode_h = form.cleaned_data.get("household_mode")
    mode_p = form.cleaned_data.get("person_mode")
    hh_valid = hh_form.is_valid() if mode_h == "new" else True
    p_valid = p_form.is_valid() if mode_p == "new" else True
    household_data = hh_form.cleaned_data if mode_h == "new" and hh_valid else None
    person_data = p_form.cleaned_data if mode_p == "new" and p_valid else None
    household = picked_household if mode_h == "existing" or mode_p == "existing" else None
    person = picked_person if mode_p == "existing" else None
    contact_decade = form.cleaned_data.get("contact_decade") if form.cleaned_data.get("add_contact") else None
    suggestions = suggest(
        _facts(
            consultation,
            household=household,
            household_data=household_data,
            person=person,
            person_data=person_data,
            contact_decade=contact_decade,
        )
    )
    context = {
        "c": consultation,
        "form": form,
        "hh_form": hh_form,
        "p_form": p_form,
        "suggestions": suggestions,
        "picked_person": picked_person,
        "picked_household": picked_household,
        "similar": [],
    }
    if request.POST.get("action") == "suggest":
        # Show the suggestions without saving; preselect them where the desk has not chosen yet.
        data = request.POST.copy()
        leads = [s for s in suggestions if s.role == "lead"]
        if not data.get("lead") and leads:
            data["lead"] = str(leads[0].agency.pk)
        if not data.getlist("partners"):
            data.setlist("partners", [str(s.agency.pk) for s in suggestions if s.role == "partner"])
        shown = TriageForm(data)
        shown.full_clean()
        # Nothing was submitted for saving yet: show the values, not "required" errors.
        shown._errors = ErrorDict()
        context["form"] = shown
        context["suggest_only"] = True
        return render(request, "intake/triage.html", context)

    if not (valid and hh_valid and p_valid):
        return render(request, "intake/triage.html", context, status=400)
    data = form.cleaned_data
    if person_data is not None:
        similar = person_find_similar(
            user=request.user,
            family_name=person_data["family_name"],
            given_name=person_data["given_name"],
            family_name_kana=person_data["family_name_kana"],
            given_name_kana=person_data["given_name_kana"],
            birth_date=person_data["birth_date"],
        )
        if similar and not data["not_duplicate"]:
            form.add_error(
                "not_duplicate",
                _("似た人がすでに登録されています。同じ人なら一覧から選び、別の人なら確認欄にチェックしてください。"),
            )
            context["similar"] = similar
            return render(request, "intake/triage.html", context, status=400)
    contact_member = None
    if data["add_contact"] and consultation.contact_type == "family":
        contact_member = {
            "family_name": "",
            "given_name": "",
            "family_name_kana": "",
            "given_name_kana": "",
            "label": _("相談者（%(relation)s）") % {"relation": consultation.get_contact_relation_display()},
            "relation": CONTACT_RELATION_TO_PERSON.get(consultation.contact_relation, Relation.OTHER),
            "approx_decade": data["contact_decade"],
            "phone": consultation.contact_phone,
        }
    decision = TriageDecision(
        screening=data["screening"],
        note=data["note"],
        household=household,
        household_data=household_data,
        person=person,
        person_data=person_data,
        contact_as_member=contact_member,
        lead=data["lead"],
        partners=tuple(data["partners"]),
        sharing_basis=data["sharing_basis"],
    )
    try:
        consultation = services.consultation_triage(
            user=request.user, consultation=consultation, expected_version=data["version"], decision=decision
        )
    except ConflictError as exc:
        context["stale"] = stale(form, exc.current)
        context["form"] = form = rebased(form, exc.current)
        form.add_error(None, _("この相談は他の職員が先に更新しました。内容を確認してからやり直してください。"))
        return render(request, "intake/triage.html", context, status=409)
    except ValidationError as exc:
        apply_errors(form, exc)
        return render(request, "intake/triage.html", context, status=400)
    if consultation.case_id:
        return redirect("cases:detail", pk=consultation.case_id)
    return redirect("intake:detail", pk=consultation.pk)
