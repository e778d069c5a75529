"""The import pages (issue 14 item 1): thin views over ``imports.services``; who may use them is
``imports.access``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.agencies.models import Role
from tsunagu.core.access import staff
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.imports import services
from tsunagu.imports.access import batch_get_for_user, batches_visible_to, kinds_for
from tsunagu.imports.excel_template import problems_workbook, template_xlsx
from tsunagu.imports.forms import MappingForm, ReuploadForm, UploadForm
from tsunagu.imports.kinds import COLUMNS
from tsunagu.imports.models import ImportBatch, Kind, Status
from tsunagu.imports.reading import FileRefused

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEMS_SHOWN = 1_000
SUPERVISORS = (Role.SUPERVISOR,)


def _kinds(request: AuthenticatedHttpRequest) -> list[str]:
    kinds = kinds_for(request.user)
    if not kinds:
        raise PermissionDenied
    return kinds


@staff(roles=SUPERVISORS)
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    kinds = _kinds(request)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.batch_upload(
                user=request.user, kind=form.cleaned_data["kind"], file_name=upload.name, content=upload.read()
            )
        except FileRefused as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("imports:batch", pk=batch.pk)
    batches = batches_visible_to(request.user).select_related("created_by", "undone_by")[:50]
    templates = [(value, label) for value, label in Kind.choices if value in kinds]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "imports/index.html", {"form": form, "batches": batches, "templates": templates}, status=status
    )


@staff(roles=SUPERVISORS)
def template(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in _kinds(request):
        raise Http404
    response = HttpResponse(template_xlsx(kind), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="tsunagu-template-{kind}.xlsx"'
    return response


def _context(request: AuthenticatedHttpRequest, batch: ImportBatch, **extra) -> dict:
    problems = list(batch.problems.all()[:PROBLEMS_SHOWN]) if batch.status == Status.INVALID else []
    mapping_form = None
    if batch.status == Status.MAPPING or (batch.status == Status.INVALID and "mapping" in request.GET):
        mapping_form = MappingForm(kind=batch.kind, headings=batch.headings, initial_mapping=batch.mapping)
    return {
        "batch": batch,
        "problems": problems,
        "more_problems": max(0, batch.problem_count - len(problems)),
        "mapping_form": mapping_form,
        "reupload_form": ReuploadForm(),
        "progress": services.progress_of(batch),
        "running": batch.status in (Status.CHECKING, Status.IMPORTING),
        "columns": COLUMNS[batch.kind],
        **extra,
    }


@staff(roles=SUPERVISORS)
def batch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = batch_get_for_user(request.user, pk)
    return render(request, "imports/batch.html", _context(request, found))


@staff(roles=SUPERVISORS)
def problems_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every problem of a checked file (the page shows the first 1,000), as Excel."""
    found = batch_get_for_user(request.user, pk)
    if found.status != Status.INVALID:
        raise Http404
    response = HttpResponse(problems_workbook(found), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="tsunagu-import-{found.pk}-problems.xlsx"'
    return response


@staff(roles=SUPERVISORS)
def progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment the batch page polls while a check or an import runs; once it has ended,
    the page is reloaded to show the outcome."""
    found = batch_get_for_user(request.user, pk)
    response = render(request, "imports/_progress.html", _context(request, found))
    if found.status not in (Status.CHECKING, Status.IMPORTING):
        response["HX-Refresh"] = "true"
    return response


@staff(roles=SUPERVISORS)
@require_POST
def mapping(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = batch_get_for_user(request.user, pk)
    form = MappingForm(request.POST, kind=found.kind, headings=found.headings, initial_mapping=found.mapping)
    if form.is_valid():
        try:
            services.batch_set_mapping(user=request.user, batch=found, mapping=form.mapping())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("imports:batch", pk=found.pk)
    return render(request, "imports/batch.html", _context(request, found, mapping_form=form), status=400)


@staff(roles=SUPERVISORS)
@require_POST
def run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = batch_get_for_user(request.user, pk)
    if not services.batch_import_start(user=request.user, batch=found):
        messages.info(request, _("この取り込みはすでに始まっているか、終わっています。"))
    return redirect("imports:batch", pk=found.pk)


@staff(roles=SUPERVISORS)
@require_POST
def undo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = batch_get_for_user(request.user, pk)
    try:
        services.batch_undo(user=request.user, batch=found)
    except ValidationError as exc:
        return render(request, "imports/batch.html", _context(request, found, undo_error=exc.messages), status=409)
    messages.success(request, _("取り込みを取り消しました。"))
    return redirect("imports:batch", pk=found.pk)


@staff(roles=SUPERVISORS)
@require_POST
def discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = batch_get_for_user(request.user, pk)
    try:
        services.batch_discard(user=request.user, batch=found)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("imports:batch", pk=found.pk)


@staff(roles=SUPERVISORS)
@require_POST
def reupload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A corrected file for a batch with errors: a new batch of the same kind and mapping; the old
    one is discarded."""
    found = batch_get_for_user(request.user, pk)
    form = ReuploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            new = services.batch_upload(
                user=request.user, kind=found.kind, file_name=upload.name, content=upload.read()
            )
        except FileRefused as exc:
            form.add_error("file", str(exc))
        else:
            if found.status in (Status.INVALID, Status.MAPPING, Status.VALID, Status.FAILED):
                services.batch_discard(user=request.user, batch=found)
            return redirect("imports:batch", pk=new.pk)
    return render(request, "imports/batch.html", _context(request, found, reupload_form=form), status=400)
