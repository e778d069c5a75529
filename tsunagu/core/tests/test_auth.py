"""Login, logout, the start page and the language switch."""

import pytest
from django.urls import reverse

from tsunagu.core.tests.personas import PASSWORD, client_for, code_for


@pytest.mark.django_db
def test_staff_log_in_and_land_on_their_start_page(users, client):
    response = client.post(reverse("login"), {"username": "desk", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('mfa:verify')}?next=%2Fstaff%2F"
    response = client.post(reverse("mfa:verify"), {"code": code_for(users["desk"]), "next": "/staff/"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("work:home")
    assert "未振り分けの相談" in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_password_is_answered_in_japanese(users, client):
    response = client.post(reverse("login"), {"username": "desk", "password": "wrong"})
    assert response.status_code == 200
    assert "ユーザー名またはパスワードが違います" in response.content.decode()


@pytest.mark.django_db
def test_login_gives_a_new_session_id_and_logout_ends_it(users, client):
    client.get(reverse("login"))
    client.cookies["sessionid"] = "attacker-chosen"
    client.post(reverse("login"), {"username": "desk", "password": PASSWORD})
    password_only = client.cookies["sessionid"].value
    assert password_only != "attacker-chosen"
    client.post(reverse("mfa:verify"), {"code": code_for(users["desk"])})
    assert client.cookies["sessionid"].value not in ("attacker-chosen", password_only)  # a new one again
    assert client.get(reverse("intake:queue")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logout is a POST (CSRF-protected)
    client.post(reverse("logout"))
    response = client.get(reverse("intake:queue"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('intake:queue')}"


@pytest.mark.django_db
def test_a_disabled_user_is_out_at_once(users):
    client = client_for(users["desk"])
    users["desk"].is_active = False
    users["desk"].save()
    response = client.get(reverse("intake:queue"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('intake:queue')}"


@pytest.mark.django_db
def test_roles_without_personal_data_see_only_aggregates_at_home(world, users):
    page = client_for(users["secretariat"]).get(reverse("work:home")).content.decode()
    assert "今月の相談受付" in page
    assert "山田" not in page


@pytest.mark.django_db
def test_the_ui_is_japanese_even_for_an_english_browser_and_english_on_request(users):
    client = client_for(users["desk"])
    page = client.get(reverse("intake:queue"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "相談受付の一覧" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/staff/"})
    page = client.get(reverse("intake:queue")).content.decode()
    assert "Consultations" in page


@pytest.mark.django_db
def test_staff_names_are_shown_family_name_first(users):
    from tsunagu.core.templatetags.tsunagu import staff_name

    users["desk"].last_name, users["desk"].first_name = "窓口", "花子"
    assert staff_name(users["desk"]) == "窓口 花子"
    assert staff_name(users["lead_worker"]) == "lead_worker"
