"""The retention job (decision 0031): after its period, a closed case's personal data is
irreversibly anonymised, while the rows that the council's statistics count are kept.

It lives on the top floor (decision 0013) because it touches every app. ``run(apply=False)`` is a
dry run: it counts what would change and writes only the report (a ``RetentionRun``). With
``apply=True`` each case (and each consultation that never became a case) is anonymised in its own
transaction. A case already anonymised is skipped, so a second run changes nothing.

Kept (what statistics count): the rows themselves, every status, choice, flag and date, the
district, sex, disability, going-out level, support stage, onset, the routes of consultations and
the age (as ``Person.retained_age`` once the birth date is erased). Erased: names, kana, labels,
addresses, postal codes, phones, e-mails, birth dates and every free text (replaced by a fixed
marker or emptied). Deleted: the name search keys and the earlier texts of corrected records,
which no statistic needs. The audit trail is never touched: the application role may only append
to it (decision 0009); its own period is the owner's step of dropping old partitions (0019).
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.assessments.models import PATHWAY_ITEM, Assessment
from tsunagu.assessments.services import answer_text
from tsunagu.cases.models import (
    Case,
    CaseAgency,
    CaseStatus,
    Consent,
    EmergencyAccess,
    RetentionHold,
    TimelineEntry,
)
from tsunagu.intake.models import Consultation
from tsunagu.lib.ages import age_on
from tsunagu.meetings.models import Decision, Meeting, MeetingCase
from tsunagu.people.models import Household, Person, PersonNameKey
from tsunagu.plans.models import Goal, SupportPlan
from tsunagu.records.models import ProgressRecord, ProgressRecordRevision
from tsunagu.referrals.models import Referral, ReferralEvent
from tsunagu.work.models import RetentionRun

# Assessment items whose answers are choices, scales or dates: kept (statistics count them).
# Every other answer (free text, notes) is removed.
KEPT_ITEM_TYPES = frozenset({"single", "multiple", "scale", "date"})

CONSULTATION_ERASED: dict[str, Any] = {
    "contact_name": "",
    "contact_phone": "",
    "contact_email": "",
    "contact_note": "",
    "screening_note": "",
}


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February in a year that has none
        return moment.replace(year=moment.year - years, day=28)


@dataclass
class Selection:
    """What a run finds expired at ``now``."""

    case_cutoff: dt.datetime
    consultation_cutoff: dt.datetime
    case_ids: list[int] = field(default_factory=list)
    held_case_ids: list[int] = field(default_factory=list)
    kept_household_case_ids: list[int] = field(default_factory=list)
    consultation_ids: list[int] = field(default_factory=list)


def select(now: dt.datetime) -> Selection:
    """The closed cases past their period, not on hold, whose household has no other case still
    within its period, open or on hold, nor a consultation still within its period; and the
    consultations that never became a case, past theirs, of no such household."""
    selection = Selection(
        case_cutoff=years_before(now, settings.RETENTION_CASE_YEARS),
        consultation_cutoff=years_before(now, settings.RETENTION_CONSULTATION_YEARS),
    )
    expired = Q(status=CaseStatus.CLOSED, closed_at__lt=selection.case_cutoff)
    held = RetentionHold.objects.filter(case=OuterRef("pk"), lifted_at__isnull=True)
    candidates = Case.objects.filter(expired, anonymised_at__isnull=True)
    live_cases = Case.objects.filter(anonymised_at__isnull=True).filter(~expired | Q(Exists(held)))
    live_households = set(live_cases.values_list("household_id", flat=True))
    live_households |= set(
        Consultation.objects.filter(
            case__isnull=True, household__isnull=False, received_at__gte=selection.consultation_cutoff
        ).values_list("household_id", flat=True)
    )
    for case_id, household_id, is_held in candidates.annotate(is_held=Exists(held)).values_list(
        "pk", "household_id", "is_held"
    ):
        if is_held:
            selection.held_case_ids.append(case_id)
        elif household_id in live_households:
            selection.kept_household_case_ids.append(case_id)
        else:
            selection.case_ids.append(case_id)
    selection.consultation_ids = list(
        Consultation.objects.filter(
            case__isnull=True, received_at__lt=selection.consultation_cutoff, anonymised_at__isnull=True
        )
        .exclude(household_id__in=live_households)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for ids in (selection.case_ids, selection.held_case_ids, selection.kept_household_case_ids):
        ids.sort()
    return selection


class Anonymiser:
    """Counts (dry run) or changes (apply) what expired, kind by kind."""

    def __init__(self, *, apply: bool, now: dt.datetime, expiring_case_ids: set[int]) -> None:
        self.apply = apply
        self.now = now
        self.expiring = expiring_case_ids
        self.marker = _("（保存期間を過ぎたため削除されました）")
        self.counts: Counter[str] = Counter()
        self.households_done: set[int] = set()

    def update(self, kind: str, queryset: QuerySet, **values: Any) -> None:
        self.counts[kind] += queryset.update(**values) if self.apply else queryset.count()

    def delete(self, kind: str, queryset: QuerySet) -> None:
        count = queryset.count()
        if self.apply and count:
            queryset.delete()
        self.counts[kind] += count

    def case(self, case: Case) -> None:
        marker = self.marker
        self.update("cases", Case.objects.filter(pk=case.pk), next_action="", anonymised_at=self.now)
        self.update("case_agencies", CaseAgency.objects.filter(case=case), basis_note="", note="")
        self.update("timeline_entries", TimelineEntry.objects.filter(case=case), summary=marker)
        self.update("records", ProgressRecord.objects.filter(case=case), summary=marker, next_action="")
        self.delete("record_revisions", ProgressRecordRevision.objects.filter(record__case=case))
        self.assessments(Assessment.objects.filter(case=case).select_related("instrument"))
        self.update("plans", SupportPlan.objects.filter(case=case), comment="")
        self.update("goals", Goal.objects.filter(plan__case=case), text=marker, action="")
        self.update(
            "referrals",
            Referral.objects.filter(case=case),
            reason=marker,
            summary=marker,
            basis_note="",
            answer_comment="",
        )
        self.update("referral_events", ReferralEvent.objects.filter(referral__case=case), text="")
        self.update("decisions", Decision.objects.filter(case=case), text=marker)
        self.update("emergency_accesses", EmergencyAccess.objects.filter(case=case), reason=marker, review_note="")
        self.update(
            "consultations",
            Consultation.objects.filter(case=case, anonymised_at__isnull=True),
            summary=marker,
            anonymised_at=self.now,
            **CONSULTATION_ERASED,
        )
        # A meeting's minutes speak of every case it discussed: erased with the last of them.
        others_live = MeetingCase.objects.filter(meeting=OuterRef("pk"), case__anonymised_at__isnull=True).exclude(
            case_id__in=self.expiring | {case.pk}
        )
        self.update(
            "meetings",
            Meeting.objects.filter(discussed__case=case).exclude(Exists(others_live)).exclude(minutes=marker),
            title=marker,
            minutes=marker,
            other_attendees="",
        )
        self.household(case.household_id)

    def consultation(self, consultation: Consultation) -> None:
        self.update(
            "consultations",
            Consultation.objects.filter(pk=consultation.pk, anonymised_at__isnull=True),
            summary=self.marker,
            anonymised_at=self.now,
            **CONSULTATION_ERASED,
        )
        household_id = consultation.household_id
        if household_id is not None and not Case.objects.filter(household_id=household_id).exists():
            self.household(household_id)

    def assessments(self, assessments: QuerySet[Assessment]) -> None:
        for assessment in assessments:
            kept_ids = {
                item["id"]
                for section in assessment.instrument.definition.get("sections", [])
                for item in section.get("items", [])
                if item.get("type") in KEPT_ITEM_TYPES
            }
            answers = {key: value for key, value in assessment.answers.items() if key in kept_ids}
            if self.apply:
                Assessment.objects.filter(pk=assessment.pk).update(
                    answers=answers, pathway=answer_text(answers.get(PATHWAY_ITEM))
                )
            self.counts["assessments"] += 1

    def household(self, household_id: int) -> None:
        if household_id in self.households_done:
            return
        self.households_done.add(household_id)
        self.update(
            "households", Household.objects.filter(pk=household_id), label="", postal_code="", address="", phone=""
        )
        first = min(
            filter(
                None,
                [
                    Case.objects.filter(household_id=household_id).aggregate(first=Min("opened_at"))["first"],
                    Consultation.objects.filter(household_id=household_id).aggregate(first=Min("received_at"))["first"],
                ],
            ),
            default=self.now,
        )
        reference_day = timezone.localdate(first)
        for person in Person.objects.filter(household_id=household_id).order_by("pk"):
            retained_age = person.retained_age
            if person.birth_date is not None:
                retained_age = age_on(person.birth_date, reference_day)
            self.update(
                "persons",
                Person.objects.filter(pk=person.pk),
                family_name="",
                given_name="",
                family_name_kana="",
                given_name_kana="",
                label="",
                phone="",
                birth_date=None,
                retained_age=retained_age,
                key_name="",
                key_kana="",
            )
        self.delete("name_keys", PersonNameKey.objects.filter(person__household_id=household_id))
        self.update("consents", Consent.objects.filter(person__household_id=household_id), purpose=self.marker)


def run(*, apply: bool, now: dt.datetime | None = None) -> RetentionRun:
    """Find what expired and anonymise it (``apply``) or count it (a dry run); always report."""
    now = now or timezone.now()
    selection = select(now)
    report = RetentionRun.objects.create(
        started_at=now,
        applied=apply,
        case_cutoff=selection.case_cutoff,
        consultation_cutoff=selection.consultation_cutoff,
        case_ids=selection.case_ids,
        consultation_ids=selection.consultation_ids,
        held_case_ids=selection.held_case_ids,
    )
    anonymiser = Anonymiser(apply=apply, now=now, expiring_case_ids=set(selection.case_ids))
    for case in Case.objects.filter(pk__in=selection.case_ids).order_by("pk"):
        with transaction.atomic():
            if apply:
                # Another run or a reopening in the meantime: check again under a lock.
                locked = Case.objects.select_for_update().get(pk=case.pk)
                if locked.anonymised_at is not None or locked.status != CaseStatus.CLOSED:
                    continue
                if RetentionHold.objects.filter(case=locked, lifted_at__isnull=True).exists():
                    continue
            anonymiser.case(case)
    for consultation in Consultation.objects.filter(pk__in=selection.consultation_ids).order_by("pk"):
        with transaction.atomic():
            anonymiser.consultation(consultation)
    anonymiser.counts["held_cases"] = len(selection.held_case_ids)
    anonymiser.counts["kept_with_household"] = len(selection.kept_household_case_ids)
    report.counts = dict(sorted(anonymiser.counts.items()))
    report.finished_at = timezone.now()
    report.save(update_fields=["counts", "finished_at"])
    return report
