import csv
import io
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.agencies.models import Agency, Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit import review
from tsunagu.audit.access import is_desk_supervisor
from tsunagu.audit.models import Action
from tsunagu.audit.selectors import role_changes_recent
from tsunagu.audit.services import access_record
from tsunagu.core.access import staff
from tsunagu.core.forms import FilterForm, JapaneseDateField
from tsunagu.core.paging import paginate
from tsunagu.core.types import AuthenticatedHttpRequest

SIGNAL_LABELS = {
    "emergency": gettext_lazy("緊急アクセス"),
    "export": gettext_lazy("出力"),
    "off_hours": gettext_lazy("時間外（8時前・19時以降・土日祝・年末年始）"),
    "beyond_team": gettext_lazy("担当チーム以外としての閲覧"),
}


@staff([Role.SUPERVISOR])
def role_changes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """役割・所属の変更記録: who gave whom which role, for the central desk's supervisors."""
    if not is_desk_supervisor(request.user):
        raise PermissionDenied
    page = Paginator(role_changes_recent(), 50).get_page(request.GET.get("page"))
    return render(request, "audit/role_changes.html", {"page": page, "changes": page.object_list})


class ReviewForm(FilterForm):
    """The audit review's filters (a GET form: ids, numbers, user names and dates, never a
    person's name)."""

    person = forms.IntegerField(label=gettext_lazy("人のID"), required=False, min_value=1)
    case = forms.CharField(label=gettext_lazy("ケース番号"), required=False, max_length=20)
    user = forms.CharField(label=gettext_lazy("ユーザー名"), required=False, max_length=150)
    agency = forms.ModelChoiceField(
        label=gettext_lazy("職員の所属機関"), queryset=Agency.objects.none(), required=False
    )
    action = forms.ChoiceField(label=gettext_lazy("操作"), required=False, choices=[("", "—"), *Action.choices])
    since = JapaneseDateField(label=gettext_lazy("いつから"), required=False, help_text="")
    until = JapaneseDateField(label=gettext_lazy("いつまで"), required=False, help_text="")
    signal = forms.ChoiceField(label=gettext_lazy("注意"), required=False, choices=[("", "—"), *SIGNAL_LABELS.items()])

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = agencies

    def clean_case(self) -> int | None:
        text = self.cleaned_data.get("case", "").strip().upper().removeprefix("K-")
        if not text:
            return None
        if not text.isdigit():
            raise forms.ValidationError(_("ケース番号は K-000123 のように入力してください。"))
        return int(text)


def _review_filters(request: HttpRequest) -> tuple[ReviewForm, review.ReviewFilters]:
    context = staff_context(request.user)
    agencies = (
        Agency.objects.order_by("kind", "code")
        if context.has_role(Role.AUDITOR)
        else Agency.objects.filter(pk__in=context.agency_ids(Role.SUPERVISOR)).order_by("kind", "code")
    )
    form = ReviewForm(request.GET, agencies=agencies)
    chosen = form.valid()
    filters = review.ReviewFilters(
        person_id=chosen.get("person"),
        case_id=chosen.get("case"),
        username=(chosen.get("user") or "").strip(),
        agency_id=chosen["agency"].pk if chosen.get("agency") else None,
        action=chosen.get("action") or "",
        since=chosen.get("since"),
        until=chosen.get("until"),
        signal=chosen.get("signal") or "",
    )
    return form, filters


@staff((Role.SUPERVISOR, Role.AUDITOR))
def audit_review(request: AuthenticatedHttpRequest) -> HttpResponse:
    """アクセス記録の確認: the access trail for supervisors (their agencies' staff) and auditors."""
    if not review.may_review(request.user):
        raise PermissionDenied
    form, filters = _review_filters(request)
    today = timezone.localdate()
    events = review.review_events(request.user, filters, today=today)
    page = paginate(events, review.REVIEW_ORDER, request.GET)
    for event in page:
        event.off_hours = review.is_off_hours(event.at)  # type: ignore[attr-defined]
    since, until = review.period(filters, today)
    access_record(
        user=request.user,
        action=Action.LIST,
        object_type="access_event",
        object_ids=[e.pk for e in page],
        reason=f"audit review {review.filters_text(filters)}",
    )
    return render(
        request,
        "audit/review.html",
        {
            "form": form,
            "page": page,
            "since": since,
            "until": until,
            "signals": review.signal_counts(request.user, filters, today=today),
            "signal_labels": SIGNAL_LABELS,
            "readers": review.readers_beyond_team(request.user, filters, today=today),
            "many_cases": review.MANY_CASES,
            "export_query": request.GET.urlencode(),
        },
    )


@staff((Role.SUPERVISOR, Role.AUDITOR))
def audit_review_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered events as CSV (UTF-8 with a BOM and CRLF, so that Excel opens it in Japanese),
    at most EXPORT_LIMIT rows, newest first; the export itself is recorded."""
    if not review.may_review(request.user):
        raise PermissionDenied
    _form, filters = _review_filters(request)
    today = timezone.localdate()
    events = list(
        review.review_events(request.user, filters, today=today).order_by("-at", "-pk")[: review.EXPORT_LIMIT]
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            _("日時"),
            _("ユーザー名"),
            _("操作"),
            _("対象の種類"),
            _("対象ID"),
            _("関係する人のID"),
            _("ケース番号"),
            _("閲覧の根拠"),
            _("接続元"),
            _("画面"),
            _("理由"),
            _("時間外"),
        ]
    )
    for e in events:
        writer.writerow(
            [
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.username,
                e.get_action_display(),
                e.object_type,
                " ".join(str(i) for i in e.object_ids),
                " ".join(str(i) for i in e.person_ids),
                f"K-{e.case_id:06d}" if e.case_id else "",
                e.basis,
                e.ip,
                e.path,
                e.reason,
                "○" if review.is_off_hours(e.at) else "",
            ]
        )
    access_record(
        user=request.user,
        action=Action.EXPORT,
        object_type="access_event",
        object_ids=[],
        reason=f"audit export {len(events)} rows {review.filters_text(filters)}",
    )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-events-{today:%Y%m%d}.csv"'
    return response
