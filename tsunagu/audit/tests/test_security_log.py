"""Refused reads of personal data leave a trace in the append-only security log (issue 8, #14)."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from tsunagu.audit.models import AccessEvent, AppendOnlyError, SecurityEvent
from tsunagu.core.tests.personas import client_for, make_user


@pytest.mark.django_db
def test_thirty_guessed_urls_leave_thirty_security_events(world, outsider):
    client = client_for(outsider)
    first = world.case.pk
    guessed = list(range(first, first + 30))
    access_before = AccessEvent.objects.count()
    for pk in guessed:
        response = client.get(reverse("cases:detail", kwargs={"pk": pk}), REMOTE_ADDR="10.9.8.7")
        assert response.status_code == 404
    events = list(SecurityEvent.objects.order_by("id"))
    assert len(events) == 30
    assert [e.object_id for e in events] == guessed
    assert {(e.user_id, e.username, e.url_name, e.kind, e.ip, e.status) for e in events} == {
        (outsider.pk, "outsider", "cases:detail", "refused", "10.9.8.7", 404)
    }
    assert events[0].arguments == {"pk": first}
    # nothing was shown, so no access event
    assert AccessEvent.objects.count() == access_before


@pytest.mark.django_db
def test_refusals_of_every_personal_data_door_are_recorded(world, outsider, users):
    client = client_for(outsider)
    urls = [
        ("people:person_detail", {"pk": world.person.pk}),
        ("people:household_detail", {"pk": world.household.pk}),
        ("intake:detail", {"pk": world.consultation.pk}),
        ("records:detail", {"pk": world.record.pk}),
        ("assessments:detail", {"pk": world.assessment.pk}),
        ("plans:detail", {"pk": world.plan.pk}),
        ("cases:team", {"pk": world.case.pk}),
    ]
    for name, kwargs in urls:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404
    assert [(e.url_name, e.object_id) for e in SecurityEvent.objects.order_by("id")] == [
        (name, kwargs["pk"]) for name, kwargs in urls
    ]
    # a role that may not use an object page at all (404 from the role check) is recorded too
    secretariat = client_for(users["secretariat"])
    assert secretariat.get(reverse("cases:detail", kwargs={"pk": world.case.pk})).status_code == 404
    assert SecurityEvent.objects.filter(user=users["secretariat"], url_name="cases:detail").count() == 1


@pytest.mark.django_db
def test_what_is_not_a_refused_personal_data_read_is_not_logged(world, lead_worker, outsider):
    assert client_for(lead_worker).get(reverse("cases:detail", kwargs={"pk": world.case.pk})).status_code == 200
    assert client_for(outsider).get("/staff/no-such-page/").status_code == 404
    case_url = reverse("cases:detail", kwargs={"pk": world.case.pk})
    anonymous = client_for(None).get(case_url)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"{reverse('login')}?next={case_url}"
    assert not SecurityEvent.objects.exists()


@pytest.mark.django_db
def test_the_404_of_a_hidden_case_is_byte_identical_to_a_missing_one(world, outsider):
    client = client_for(outsider)
    hidden = client.get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    missing = client.get(reverse("cases:detail", kwargs={"pk": 999_999}))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert SecurityEvent.objects.count() == 2


@pytest.mark.django_db
def test_the_security_log_page_shows_the_refusals_to_the_audit_reviewers(world, outsider, users):
    client = client_for(outsider)
    for pk in (world.case.pk, 999_999):
        client.get(reverse("cases:detail", kwargs={"pk": pk}))
    desk_supervisor = make_user("desk_boss", "link", "supervisor", last_name="窓口", first_name="統括")
    for reviewer in (desk_supervisor, users["secretariat"]):
        page = client_for(reviewer).get(reverse("security:log"))
        assert page.status_code == 200
        text = page.content.decode()
        assert "cases:detail" in text and "999999" in text and str(world.case.pk) in text
        assert "あんしんすこやかセンター経堂" in text  # the agency of who tried
    for refused in (outsider, users["supervisor"], users["lead_worker"], users["desk"]):
        assert client_for(refused).get(reverse("security:log")).status_code == 403
    # reading the log is itself recorded
    assert AccessEvent.objects.filter(user=desk_supervisor, object_type="security_log").exists()


@pytest.mark.django_db
def test_the_security_log_filters_by_user_and_pages(world, outsider, users):
    client = client_for(outsider)
    for pk in range(60):
        client.get(reverse("cases:detail", kwargs={"pk": 1_000_000 + pk}))
    client_for(users["lead_worker"]).get(reverse("cases:detail", kwargs={"pk": world.other_case.pk}))
    reader = client_for(users["secretariat"])
    first = reader.get(reverse("security:log"))
    assert len(first.context["page"].object_list) == 50
    only = reader.get(reverse("security:log"), {"user": "lead_worker"})
    assert [e.object_id for e in only.context["page"].object_list] == [world.other_case.pk]


@pytest.mark.django_db
def test_the_orm_refuses_to_change_or_delete_a_security_event(world, outsider):
    client_for(outsider).get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    event = SecurityEvent.objects.get()
    event.url_name = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement", ["UPDATE audit_securityevent SET url_name = 'tampered'", "DELETE FROM audit_securityevent"]
)
def test_postgres_refuses_update_and_delete_on_the_security_log(world, outsider, statement):
    client_for(outsider).get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    assert SecurityEvent.objects.exists()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert SecurityEvent.objects.count() == 1


def test_every_staff_object_url_is_in_a_logged_namespace():
    """A new app with object pages must declare whether it holds personal data."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from tsunagu.audit.middleware import PERSONAL_DATA_NAMESPACES

    # account, mfa: the person's own sessions and second factors; training: courses and staff
    # attendance (staff are not residents; supervision sessions are in "supervision");
    # events: public information about an agency's events (issue 12), no person in them.
    not_personal = {"admin", "public", "security", "account", "mfa", "training", "events"}
    found = []

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and "<int:" in str(p.pattern):
                found.append(namespace)

    walk(get_resolver().url_patterns)
    assert found
    assert set(found) - not_personal <= PERSONAL_DATA_NAMESPACES
