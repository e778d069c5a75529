"""The disclosure page (decision 0030): a central desk supervisor records the written request,
then gets the printable document or the ZIP of CSVs; each preparation is an access event."""

from django import forms
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.agencies.models import Role
from tsunagu.audit.access import is_desk_supervisor
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.core.access import staff
from tsunagu.core.forms import JapaneseDateField
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.lib import wareki
from tsunagu.people.models import Person
from tsunagu.work.disclosure import disclosure_sections, export_zip


class Requester(models.TextChoices):
    PERSON = "person", gettext_lazy("本人")
    REPRESENTATIVE = "representative", gettext_lazy("法定代理人")
    AGENT = "agent", gettext_lazy("本人が委任した代理人（委任状あり）")


class DisclosureRequestForm(forms.Form):
    """The written request the disclosure answers; every field is required."""

    received_on = JapaneseDateField(label=gettext_lazy("請求書を受け付けた日"), past_only=True)
    requester = forms.ChoiceField(label=gettext_lazy("請求した人"), choices=Requester.choices, widget=forms.RadioSelect)
    identity_check = forms.CharField(
        label=gettext_lazy("本人確認の方法"),
        max_length=100,
        help_text=gettext_lazy("例：運転免許証で確認（番号は書かない）"),
    )
    reference = forms.CharField(label=gettext_lazy("請求書の番号"), max_length=40)


def _request_rows(data: dict, user_label: str) -> list[list[str]]:
    return [
        [_("請求書の番号"), data["reference"]],
        [_("請求書を受け付けた日"), wareki.format_wareki(data["received_on"])],
        [_("請求した人"), str(Requester(data["requester"]).label)],
        [_("本人確認の方法"), data["identity_check"]],
        [_("作成日"), wareki.format_wareki(timezone.localdate())],
        [_("作成した職員"), user_label],
    ]


@staff([Role.SUPERVISOR])
def disclosure(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """開示請求への対応: the form for the written request; on a valid POST the document (or, with
    the export button, the ZIP), recorded as one export event naming the person."""
    if not is_desk_supervisor(request.user):
        raise Http404
    person = get_object_or_404(Person.objects.select_related("household__district"), pk=pk)
    form = DisclosureRequestForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        return render(request, "work/disclosure_form.html", {"form": form, "person_id": person.pk})
    data = form.cleaned_data
    export = "export" in request.POST
    today = timezone.localdate()
    # Gathered before the preparation is recorded: the access section lists what came before.
    sections = disclosure_sections(person, today=today)
    user_label = f"{request.user.last_name} {request.user.first_name}".strip() or request.user.get_username()
    request_rows = _request_rows(data, user_label)
    access_record(
        user=request.user,
        action=Action.EXPORT,
        object_type="disclosure",
        object_ids=[person.pk],
        person_ids=[person.pk],
        reason=(
            f"disclosure {'file' if export else 'document'} request={data['reference']} "
            f"received={data['received_on']:%Y-%m-%d} requester={data['requester']} "
            f"identity={data['identity_check']}"
        ),
    )
    if export:
        response = HttpResponse(export_zip(sections, request_rows), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="disclosure-{person.pk}-{today:%Y%m%d}.zip"'
        return response
    return render(
        request,
        "work/disclosure.html",
        {"person": person, "sections": sections, "request_rows": request_rows, "form": form},
    )
