"""Report snapshots kept with a council meeting (issue 13 item 6): the secretariat attaches the
published tables of a report to a 連絡協議会 or 庁内調整会議; whoever may see the meeting may read
them, as they were on that day."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tsunagu.agencies.models import Role
from tsunagu.core.access import staff
from tsunagu.core.forms import LongSelect, SubmissionKeyMixin, choose_from
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.lib import wareki
from tsunagu.meetings.access import meeting_can_write, meeting_get_for_user, meetings_visible_to
from tsunagu.meetings.models import COUNCIL_KINDS, Meeting
from tsunagu.reports import services
from tsunagu.reports.build import build, check_section
from tsunagu.reports.models import ReportSnapshot
from tsunagu.reports.render import from_json

COUNCILS_OFFERED = 30


class SnapshotForm(SubmissionKeyMixin):
    meeting = forms.ModelChoiceField(
        label=gettext_lazy("添付する会議"), queryset=Meeting.objects.none(), widget=LongSelect
    )


def councils_for(user) -> list[Meeting]:
    """The council meetings the user may attach a report to, latest first."""
    meetings = meetings_visible_to(user).filter(kind__in=COUNCIL_KINDS).order_by("-held_at", "-pk")
    return [m for m in meetings[:COUNCILS_OFFERED] if meeting_can_write(user, m)]


def snapshot_form(user, data=None) -> SnapshotForm | None:
    councils = councils_for(user)
    if not councils:
        return None
    form = SnapshotForm(data=data)
    choose_from(
        form.fields["meeting"],
        Meeting.objects.filter(pk__in=[m.pk for m in councils]).order_by("-held_at", "-pk"),
        lambda m: f"{wareki.format_wareki(m.held_at.date())} {m.get_kind_display()} {m.title}",
    )
    return form


@staff(roles=[Role.SECRETARIAT])
@require_POST
def snapshot_create(request: AuthenticatedHttpRequest, section: str) -> HttpResponse:
    check_section(section)
    built = build(request, section)
    form = snapshot_form(request.user, request.POST)
    if form is None or not form.is_valid():
        messages.error(request, _("添付する会議を選んでください。"))
        query = request.GET.urlencode()
        return redirect(request.path.replace("snapshot/", "") + (f"?{query}" if query else ""))
    meeting = meeting_get_for_user(request.user, form.cleaned_data["meeting"].pk, write=True)
    if not meeting.is_council:
        raise Http404
    snapshot, created = services.snapshot_take(
        user=request.user,
        meeting=meeting,
        section=section,
        title=built.heading.title,
        period=built.period,
        scope=built.scope,
        as_of=built.as_of,
        threshold=built.threshold,
        tables=built.tables,
        key=form.cleaned_data["submission_key"],
    )
    if created:
        messages.success(request, _("会議「{title}」に統計資料を添付しました。").format(title=meeting.title))
    return redirect("reports:snapshot", snapshot.pk)


def _meeting_of(request: AuthenticatedHttpRequest, meeting_id: int) -> Meeting:
    meeting = meeting_get_for_user(request.user, meeting_id)
    if not meeting.is_council:
        raise Http404
    return meeting


@staff()
def snapshot_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_of(request, pk)
    snapshots = ReportSnapshot.objects.filter(meeting=meeting).select_related("taken_by")
    return render(request, "reports/snapshot_list.html", {"meeting": meeting, "snapshots": snapshots})


@staff()
def snapshot_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    snapshot = ReportSnapshot.objects.select_related("taken_by").filter(pk=pk).first()
    if snapshot is None:
        raise Http404
    meeting = _meeting_of(request, snapshot.meeting_id)
    tables = [from_json(t) for t in snapshot.tables]
    groups: dict[str, list] = {}
    for table in tables:
        groups.setdefault(table.group, []).append(table)
    return render(
        request,
        "reports/snapshot.html",
        {"snapshot": snapshot, "meeting": meeting, "groups": list(groups.items())},
    )
