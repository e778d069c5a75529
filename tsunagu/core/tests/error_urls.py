"""The site's URLs plus views that fail, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import DatabaseError
from django.http import HttpResponse
from django.urls import path

from tsunagu import urls as site

SECRET = "secret-detail-7f3a"


def crash(request):
    raise RuntimeError(f"{SECRET} in the code")


def database_down(request):
    raise DatabaseError(f"{SECRET}: could not connect to server")


def forbidden(request):
    raise PermissionDenied(SECRET)


def suspicious(request):
    raise SuspiciousOperation(SECRET)


def fail(request, kind, pk):
    """An error raised while handling an object: the page must show neither the id nor the path."""
    exception = {"crash": RuntimeError, "forbidden": PermissionDenied, "suspicious": SuspiciousOperation}[kind]
    raise exception(f"{SECRET} object {pk}")


OUTAGE_LABEL = "障害テストの世帯"


def write_then_read(request):
    """A write, then a read: the database may go away between the two (test_database_outage)."""
    from tsunagu.people.models import Household
    from tsunagu.people.tests.factories import household_make

    household_make(label=OUTAGE_LABEL, user=request.user)
    return HttpResponse(f"{Household.objects.filter(label=OUTAGE_LABEL).count()}")


urlpatterns = [
    *site.urlpatterns,
    path("test-errors/crash/", crash),
    path("test-errors/database-down/", database_down),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/suspicious/", suspicious),
    path("test-errors/write-then-read/", write_then_read),
    path("test-errors/<str:kind>/<int:pk>/", fail),
]

# The site's own error handlers, if it ever declares some (Django's defaults otherwise).
for _name in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(site, _name):
        globals()[_name] = getattr(site, _name)
