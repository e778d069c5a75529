"""The client's address behind a reverse proxy (decision 0032): X-Forwarded-For is believed only
from the proxies named in TRUSTED_PROXIES, read from the right; a client cannot choose its
address; the lockout and the records use it."""

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from tsunagu.audit.models import SecurityEvent, SecurityEventKind
from tsunagu.core.middleware import client_ip

PROXY = "10.0.0.2"


def address(remote, forwarded=None, **settings):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(**settings):
        return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_header_is_never_read():
    assert address("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_from_a_trusted_proxy_the_address_it_appended_is_the_clients():
    assert address(PROXY, "198.51.100.7", TRUSTED_PROXIES=[PROXY]) == "198.51.100.7"
    assert address(PROXY, "198.51.100.7", TRUSTED_PROXIES=["10.0.0.0/24"]) == "198.51.100.7"


def test_what_a_client_wrote_in_the_header_stands_left_and_is_ignored():
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw.
    assert address(PROXY, "1.2.3.4, 198.51.100.7", TRUSTED_PROXIES=[PROXY]) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_skipped_from_the_right():
    chain = "198.51.100.7, 10.0.0.5"
    assert address(PROXY, chain, TRUSTED_PROXIES=[PROXY, "10.0.0.5"]) == "198.51.100.7"
    assert address(PROXY, chain, TRUSTED_PROXIES=[PROXY]) == "10.0.0.5"  # 10.0.0.5 is not ours


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "198.51.100.7, <script>"])
def test_a_missing_or_malformed_header_leaves_the_proxys_address(forwarded):
    assert address(PROXY, forwarded, TRUSTED_PROXIES=[PROXY]) == PROXY


def test_an_untrusted_peer_cannot_claim_an_address():
    assert address("203.0.113.9", "198.51.100.7", TRUSTED_PROXIES=[PROXY]) == "203.0.113.9"


def test_ipv6_clients_and_proxies():
    assert address("fd00::2", "2001:db8::7", TRUSTED_PROXIES=["fd00::/64"]) == "2001:db8::7"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=[PROXY])
def test_behind_the_proxy_the_lockout_and_the_trail_see_each_client(users, client):
    from django.conf import settings

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "desk", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    locked = client.post(
        reverse("login"),
        {"username": "desk", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert locked.status_code == 429
    other = client.post(
        reverse("login"),
        {"username": "desk", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert other.status_code == 200  # another client behind the same proxy is not locked out
    ips = set(SecurityEvent.objects.filter(kind=SecurityEventKind.SIGN_IN_FAILED).values_list("ip", flat=True))
    assert ips == {"198.51.100.7", "198.51.100.8"}
