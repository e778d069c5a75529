"""A person's disclosure (APPI 第33条, issue 11 item 6, decision 0030): what Tsunagu holds about one
person and who accessed it, gathered for the printed document and the export alike.

Every section is a title, column headers and rows of strings, so the page and the ZIP of CSVs
show the same thing and a test can compare them. Other members of the household are third
parties: only their relation and approximate age appear (decision 0030)."""

import csv
import datetime as dt
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Membership
from tsunagu.assessments.definition import items_of
from tsunagu.assessments.models import Assessment
from tsunagu.audit.models import AccessEvent
from tsunagu.audit.review import ArrayHas
from tsunagu.cases.models import CaseAgency, Consent
from tsunagu.intake.models import Consultation
from tsunagu.lib import wareki
from tsunagu.people.models import Person
from tsunagu.plans.models import Goal
from tsunagu.records.models import ProgressRecord
from tsunagu.referrals.models import Referral


@dataclass(frozen=True)
class Section:
    key: str  # the CSV file's name in the export
    title: str
    headers: list[str]
    rows: list[list[str]]


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value)
        return f"{wareki.format_wareki(local.date())} {local:%H:%M}"
    return wareki.format_wareki(value)


def _yes(value: bool) -> str:
    return _("はい") if value else _("いいえ")


def _basis(basis_label: str, note: str) -> str:
    return f"{basis_label}（{note}）" if note else basis_label


def _person_section(person: Person) -> Section:
    household = person.household
    since = person.withdrawal_since_approx
    rows = [
        [_("人のID"), str(person.pk)],
        [_("姓"), person.family_name],
        [_("名"), person.given_name],
        [_("セイ"), person.family_name_kana],
        [_("メイ"), person.given_name_kana],
        [_("呼び名"), person.label],
        [_("性別"), str(person.get_sex_display())],
        [_("生年月日"), _date(person.birth_date)],
        [_("おおよその年代"), str(person.get_approx_decade_display() or "")],
        [_("世帯での続柄"), str(person.get_relation_display())],
        [_("支援の対象者"), _yes(person.is_concerned)],
        [_("障害"), str(person.get_disability_display())],
        [_("ひきこもり状態になった時期"), str(since) if since else ""],
        [_("外出の状況"), str(person.get_going_out_display() or "")],
        [_("電話番号"), person.phone],
        [_("支援段階"), str(person.get_support_stage_display() or "")],
        [_("世帯"), household.display_name],
        [_("郵便番号"), household.postal_code],
        [_("住所"), household.address],
        [_("地区"), household.district.name if household.district else ""],
        [_("世帯の電話番号"), household.phone],
        [_("世帯の状況"), "、".join(household.signals())],
    ]
    return Section("01_person", _("本人の情報"), [_("項目"), _("内容")], rows)


def _approximate_age(member: Person, today: dt.date) -> str:
    age = member.age_estimate(today)
    if age is None:
        return _("不明")
    return _("%(decade)s代") % {"decade": age // 10 * 10}


def _household_section(person: Person, today: dt.date) -> Section:
    """The other members as relation and approximate age only: their names and details are
    their own data, not the person's (decision 0030)."""
    others = person.household.members.exclude(pk=person.pk).order_by("pk")
    rows = [[str(m.get_relation_display()), _approximate_age(m, today)] for m in others]
    return Section("02_household", _("世帯のほかの人"), [_("世帯での続柄"), _("おおよその年齢")], rows)


def _consultation_section(person: Person) -> Section:
    consultations = Consultation.objects.filter(person=person).order_by("-received_at", "-pk")
    rows = [
        [
            c.reference_code,
            _date(c.received_at),
            str(c.get_channel_display()),
            str(c.get_contact_type_display()),
            str(c.get_contact_relation_display() or ""),
            str(c.get_main_concern_display() or ""),
            c.summary,
        ]
        for c in consultations
    ]
    headers = [
        _("受付番号"),
        _("受付日時"),
        _("相談の方法"),
        _("相談者"),
        _("本人との関係"),
        _("主な相談内容"),
        _("相談の概要"),
    ]
    return Section("03_consultations", _("相談"), headers, rows)


def _case_section(person: Person) -> Section:
    team = (
        CaseAgency.objects.filter(case__household_id=person.household_id)
        .select_related("case", "agency")
        .order_by("case__opened_at", "case_id", "since", "pk")
    )
    rows = [
        [
            member.case.number,
            str(member.case.get_status_display()),
            _date(member.case.opened_at),
            _date(member.case.closed_at),
            member.agency.name,
            str(member.get_role_display()),
            _date(member.since),
            _date(member.until),
            _basis(str(member.get_sharing_basis_display()), member.basis_note),
        ]
        for member in team
    ]
    headers = [
        _("ケース番号"),
        _("状態"),
        _("開始日時"),
        _("終結日時"),
        _("担当機関"),
        _("役割"),
        _("開始日"),
        _("終了日"),
        _("情報共有の根拠"),
    ]
    return Section("04_cases", _("世帯のケースと担当機関"), headers, rows)


def _record_section(person: Person) -> Section:
    records = ProgressRecord.objects.filter(persons=person).select_related("case").order_by("-occurred_on", "-pk")
    rows = [
        [_date(r.occurred_on), r.case.number, str(r.get_method_display()), _yes(r.reached), r.summary] for r in records
    ]
    headers = [_("日付"), _("ケース番号"), _("方法"), _("本人・家族と会えた／話せた"), _("内容")]
    return Section("05_records", _("経過記録（本人が対象のもの）"), headers, rows)


def _answers_summary(definition: dict[str, Any], answers: dict[str, Any]) -> str:
    parts = []
    for item in items_of(definition):
        value = answers.get(item.get("id"))
        if value in (None, "", []):
            continue
        labels = {str(o.get("value")): str(o.get("label")) for o in item.get("options", [])}
        values = value if isinstance(value, list) else [value]
        parts.append(f"{item.get('text')}：{'、'.join(labels.get(str(v), str(v)) for v in values)}")
    return " / ".join(parts)


def _assessment_section(person: Person) -> Section:
    assessments = (
        Assessment.objects.filter(person=person).select_related("case", "instrument").order_by("-assessed_on", "-pk")
    )
    rows = [
        [
            a.instrument.name,
            _date(a.assessed_on),
            a.case.number,
            str(a.get_status_display()),
            _answers_summary(a.instrument.definition, a.answers),
        ]
        for a in assessments
    ]
    headers = [_("様式"), _("実施日"), _("ケース番号"), _("状態"), _("回答の要約")]
    return Section("06_assessments", _("アセスメント"), headers, rows)


def _goal_section(person: Person) -> Section:
    goals = (
        Goal.objects.filter(person=person).select_related("plan__case").order_by("-plan__review_on", "plan_id", "order")
    )
    rows = [
        [
            g.plan.case.number,
            str(g.plan.get_status_display()),
            _date(g.plan.review_on),
            g.text,
            g.action,
            str(g.get_status_display()),
            _date(g.due_on),
        ]
        for g in goals
    ]
    headers = [
        _("ケース番号"),
        _("計画の状態"),
        _("見直し予定日"),
        _("目標"),
        _("具体的な支援"),
        _("目標の状態"),
        _("期日"),
    ]
    return Section("07_plans", _("支援計画の目標（本人が対象のもの）"), headers, rows)


def _referral_section(person: Person) -> Section:
    referrals = (
        Referral.objects.filter(person=person)
        .select_related("case", "from_agency", "to_agency")
        .order_by("-requested_at", "-pk")
    )
    rows = [
        [
            _date(r.requested_at),
            r.case.number,
            r.from_agency.name,
            r.to_agency.name,
            str(r.get_status_display()),
            _basis(str(r.get_sharing_basis_display()), r.basis_note),
            r.reason,
        ]
        for r in referrals
    ]
    headers = [
        _("依頼日時"),
        _("ケース番号"),
        _("依頼元"),
        _("依頼先"),
        _("状態"),
        _("情報共有の根拠"),
        _("つなぐ理由"),
    ]
    return Section("08_referrals", _("つなぎ（他の機関への紹介）"), headers, rows)


def _consent_section(person: Person) -> Section:
    consents = Consent.objects.filter(person=person).prefetch_related("agencies").order_by("-given_on", "-pk")
    rows = [
        [
            _date(c.given_on),
            "、".join(sorted(a.name for a in c.agencies.all())),
            c.purpose,
            str(c.get_method_display()),
            _date(c.expires_on),
            _date(c.withdrawn_on),
        ]
        for c in consents
    ]
    headers = [_("同意日"), _("共有してよい機関"), _("目的"), _("同意の方法"), _("有効期限"), _("撤回日")]
    return Section("09_consents", _("同意"), headers, rows)


def person_events(person_id: int):
    """Every access event whose ``person_ids`` hold the person, newest first."""
    return AccessEvent.objects.filter(ArrayHas("person_ids", person_id)).order_by("-at", "-pk")


def _access_section(person: Person) -> Section:
    """Who accessed the person's data: the agency and role of the user's memberships (today's;
    the trail keeps no snapshot of them), never the staff member's name."""
    events = list(person_events(person.pk))
    agencies: dict[int, list[str]] = defaultdict(list)
    user_ids = {e.user_id for e in events if e.user_id is not None}
    memberships = Membership.objects.filter(user_id__in=user_ids).select_related("agency").order_by("agency__name")
    for m in memberships:
        agencies[m.user_id].append(f"{m.agency.name}（{m.get_role_display()}）")
    rows = [
        [
            _date(e.at),
            "、".join(agencies.get(e.user_id or 0, [])) or _("不明"),
            str(e.get_action_display()),
            e.object_type,
            e.basis,
        ]
        for e in events
    ]
    headers = [_("日時"), _("職員の所属機関（役割）"), _("操作"), _("対象の種類"), _("閲覧の根拠")]
    return Section("10_access", _("アクセスの記録"), headers, rows)


def disclosure_sections(person: Person, *, today: dt.date) -> list[Section]:
    """Everything Tsunagu holds about ``person`` and who accessed it, in the document's order."""
    return [
        _person_section(person),
        _household_section(person, today),
        _consultation_section(person),
        _case_section(person),
        _record_section(person),
        _assessment_section(person),
        _goal_section(person),
        _referral_section(person),
        _consent_section(person),
        _access_section(person),
    ]


def export_zip(sections: list[Section], header_rows: list[list[str]]) -> bytes:
    """One CSV per section (UTF-8 with a BOM and CRLF, which Excel opens in Japanese), zipped,
    with ``00_request.csv`` saying what was asked and when it was prepared."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("00_request.csv", _csv([_("項目"), _("内容")], header_rows))
        for section in sections:
            archive.writestr(f"{section.key}.csv", _csv(section.headers, section.rows))
    return buffer.getvalue()


def _cell(value: str) -> str:
    """A cell Excel would read as a formula (=, +, -, @, tab, CR first) is quoted with '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv(headers: list[str], rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
