"""Who may open which report, for which part of the network (issue 13 item 6; docs/access.md).

Reports hold aggregates only, and every figure is published through small-cell protection
(``tables.publish``). Still, each audience sees only its own part:

- the secretariat (事務局): every section, for the ward, an area or a district;
- the desk (窓口相談員, and supervisors of the central desk): the desk's section, for the ward, an
  area or a district;
- an agency's supervisor: the case, referral, network and survey sections for their own agency
  (the cases with the agency on their team), never another agency's and never the ward's;
- anybody else (caseworkers, partners, administrators, auditors): no report. Administrators manage
  reference data and users, not the network's figures.
"""

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.agencies.models import Agency, Area, District, Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.core.types import User
from tsunagu.reports.period import AGENCY, AREA, DISTRICT, WARD, Scope

DESK, CASES, REFERRALS, NETWORK, SURVEY = "desk", "cases", "referrals", "network", "survey"
SECTIONS: dict[str, object] = {
    DESK: gettext_lazy("相談の受付"),
    CASES: gettext_lazy("ケース"),
    REFERRALS: gettext_lazy("つなぎ"),
    NETWORK: gettext_lazy("居場所・家族会・研修"),
    SURVEY: gettext_lazy("実態把握（調査票の集計）"),
}
AGENCY_SECTIONS = (CASES, REFERRALS, NETWORK, SURVEY)


@dataclass(frozen=True)
class Audience:
    geographic_sections: tuple[str, ...]  # sections for the ward, an area or a district
    agency_sections: tuple[str, ...]  # sections for one of ``agency_ids``
    agency_ids: tuple[int, ...]  # agencies whose own figures may be opened

    def __bool__(self) -> bool:
        return bool(self.geographic_sections or self.agency_sections)

    @property
    def geographic(self) -> bool:
        return bool(self.geographic_sections)

    def sections_for(self, scope: Scope) -> tuple[str, ...]:
        if scope.kind == AGENCY:
            return self.agency_sections if scope.id in self.agency_ids else ()
        return self.geographic_sections

    def may_open(self, section: str, scope: Scope) -> bool:
        return section in self.sections_for(scope)


NOBODY = Audience(geographic_sections=(), agency_sections=(), agency_ids=())


def audience_of(user: User) -> Audience:
    context = staff_context(user)
    if context.has_role(Role.SECRETARIAT):
        return Audience(geographic_sections=tuple(SECTIONS), agency_sections=(), agency_ids=())
    desk_ids = set(Agency.objects.filter(is_central_desk=True, active=True).values_list("pk", flat=True))
    supervised = context.agency_ids(Role.SUPERVISOR)
    desk = context.is_desk or bool(supervised & desk_ids)
    return Audience(
        geographic_sections=(DESK,) if desk else (),
        agency_sections=AGENCY_SECTIONS if supervised else (),
        agency_ids=tuple(sorted(supervised)),
    )


def scope_choices(audience: Audience) -> list[tuple[str, str]]:
    """The scopes the audience may choose, as (value, label) for a select: ``ward``, ``area-3``,
    ``district-12``, ``agency-5``."""
    choices: list[tuple[str, str]] = []
    if audience.geographic:
        choices.append((WARD, _("区全体")))
        for area in Area.objects.order_by("order", "pk"):
            choices.append((f"{AREA}-{area.pk}", _("地域：{name}").format(name=area.name)))
        for district in District.objects.select_related("area").order_by("area__order", "order", "pk"):
            choices.append((f"{DISTRICT}-{district.pk}", _("地区：{name}").format(name=district.name)))
    for agency in Agency.objects.filter(pk__in=audience.agency_ids).order_by("code"):
        choices.append((f"{AGENCY}-{agency.pk}", _("機関：{name}").format(name=agency.name)))
    return choices


def scope_parse(value: str, audience: Audience) -> Scope:
    """The scope a request names, if the audience may use it; 404 otherwise (an agency's figures are
    not revealed to another agency, not even that they exist)."""
    kind, _sep, raw = value.partition("-")
    if kind == WARD and not raw and audience.geographic:
        return Scope(WARD)
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # int() refuses ² and ①
        raise Http404
    pk = int(raw)
    if kind == AREA and audience.geographic:
        area = Area.objects.filter(pk=pk).first()
        if area is not None:
            return Scope(AREA, pk, _("地域：{name}").format(name=area.name))
    if kind == DISTRICT and audience.geographic:
        district = District.objects.filter(pk=pk).first()
        if district is not None:
            return Scope(DISTRICT, pk, _("地区：{name}").format(name=district.name))
    if kind == AGENCY and pk in audience.agency_ids:
        agency = Agency.objects.filter(pk=pk).first()
        if agency is not None:
            return Scope(AGENCY, pk, agency.name)
    raise Http404


def default_scope(audience: Audience) -> Scope:
    if audience.geographic:
        return Scope(WARD)
    return scope_parse(f"{AGENCY}-{audience.agency_ids[0]}", audience)
