"""Failed-login throttling: repeated wrong passwords lock the name, from any address and on
every way in (the site's login, the admin's, authenticate() itself, the password change);
an address is whatever the trusted proxy says, and only the trusted proxy."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from core.proxy import TrustedProxyMiddleware, forwarded_client
from tests.factories import superuser

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    settings.LOGIN_LOCKOUT_SECONDS = 600
    settings.TRUSTED_PROXIES = []
    cache.clear()
    yield
    cache.clear()


def login(client, username, password, address="10.0.0.1", **headers):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address, **headers)


def admin_login(client, username, password, address="10.0.0.1", **headers):
    return client.post(reverse("admin:login"), {"username": username, "password": password,
                                                "next": "/admin/"},
                       REMOTE_ADDR=address, **headers)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_logs_in(client, world):
    response = login(client, "liaison", "pw")
    assert response.status_code == 302
    assert signed_in(client)


def test_after_the_limit_even_the_right_password_is_refused(client, world, caplog):
    for attempt in range(3):
        response = login(client, "liaison", "wrong")
        assert response.status_code == 200
        # The attempt that reaches the limit already says so.
        assert (LOCKED in response.content.decode()) == (attempt == 2)
    assert "login locked" in caplog.text
    response = login(client, "liaison", "pw")
    assert response.status_code == 200
    assert "登录失败次数过多，请10分钟后再试" in response.content.decode()
    assert not signed_in(client)


def test_the_lock_on_a_name_holds_from_every_address(client, world):
    for _ in range(3):
        login(client, "liaison", "wrong")
    assert LOCKED in login(client, "liaison", "pw", address="10.0.0.2").content.decode()
    assert not signed_in(client)
    # Another name from the first address is not locked.
    assert login(client, "office", "pw").status_code == 302


def test_guessing_from_a_new_address_each_time_still_locks_the_name(client, world):
    for number in range(3):
        login(client, "liaison", "wrong", address=f"10.1.0.{number}")
    assert LOCKED in login(client, "liaison", "pw", address="10.1.0.99").content.decode()
    assert not signed_in(client)


def test_a_forged_forwarded_address_changes_nothing(client, world, settings):
    """The web port reached directly: a fresh X-Forwarded-For per try neither lifts the lock
    on the name nor escapes the lock on the real address."""
    settings.TRUSTED_PROXIES = ["10.9.9.9"]  # the proxy, which these requests do not come from
    for number in range(3):
        login(client, "liaison", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    assert LOCKED in login(client, "liaison", "pw",
                           HTTP_X_FORWARDED_FOR="203.0.113.77").content.decode()
    for number in range(2):
        login(client, f"nobody{number}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    # Five failures from 10.0.0.1 in all: the address is locked for every name.
    assert LOCKED in login(client, "office", "pw", HTTP_X_FORWARDED_FOR="198.51.100.50").content.decode()


def test_behind_the_trusted_proxy_the_forwarded_address_counts(client, world, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.254"]
    for number in range(5):
        client.post(reverse("login"), {"username": f"nobody{number}", "password": "wrong"},
                    REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.5")
    locked = client.post(reverse("login"), {"username": "office", "password": "pw"},
                         REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert LOCKED in locked.content.decode()
    other = client.post(reverse("login"), {"username": "office", "password": "pw"},
                        REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.status_code == 302


def test_a_success_clears_earlier_failures(client, world):
    for _ in range(2):
        login(client, "liaison", "wrong")
    assert login(client, "liaison", "pw").status_code == 302
    client.logout()
    for _ in range(2):
        login(client, "liaison", "wrong")
    assert login(client, "liaison", "pw").status_code == 302


def test_names_are_counted_without_regard_to_case(client, world):
    for name in ("liaison", "LIAISON", "Liaison"):
        login(client, name, "wrong")
    assert LOCKED in login(client, "liaison", "pw").content.decode()


def test_one_address_trying_many_names_is_locked_for_all(client, world):
    for number in range(5):
        login(client, f"nobody{number}", "wrong")
    assert LOCKED in login(client, "liaison", "pw").content.decode()
    assert login(client, "liaison", "pw", address="10.0.0.9").status_code == 302


def test_the_lock_ends_when_the_window_passes(client, world):
    for _ in range(3):
        login(client, "liaison", "wrong")
    assert LOCKED in login(client, "liaison", "pw").content.decode()
    cache.clear()  # what the expiry of the window does
    assert login(client, "liaison", "pw").status_code == 302


# ---------------------------------------------------------------- the admin and other ways in


def test_the_admin_login_is_throttled(client, world):
    superuser("root")
    for _ in range(40):
        admin_login(client, "root", "wrong")
    response = admin_login(client, "root", "pw")
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_one_lock_for_the_site_and_the_admin(world):
    superuser("root")
    for _ in range(3):
        login(Client(), "root", "wrong")
    client = Client()
    assert LOCKED in admin_login(client, "root", "pw", address="10.0.0.2").content.decode()
    assert not signed_in(client)
    cache.clear()
    for _ in range(3):
        admin_login(Client(), "root", "wrong")
    client = Client()
    assert LOCKED in login(client, "root", "pw", address="10.0.0.3").content.decode()
    assert not signed_in(client)
    cache.clear()
    client = Client()
    assert admin_login(client, "root", "pw").status_code == 302
    assert signed_in(client)


def test_authenticate_itself_refuses_a_locked_name(world):
    """Any code that signs people in (authenticate) meets the same lock."""
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.4")
    assert authenticate(request, username="liaison", password="pw") is not None
    for _ in range(3):
        assert authenticate(request, username="liaison", password="wrong") is None
    assert authenticate(request, username="liaison", password="pw") is None
    other = RequestFactory().post("/", REMOTE_ADDR="10.0.0.5")
    assert authenticate(other, username="liaison", password="pw") is None
    assert authenticate(other, username="office", password="pw") is not None


@pytest.mark.parametrize("url", ["password_change", "admin:password_change"])
def test_guessing_the_old_password_when_changing_it_is_throttled(world, url):
    world.liaison.is_staff = True
    world.liaison.save()
    client = Client()
    client.force_login(world.liaison)
    form = {"new_password1": "Another-pass-2024", "new_password2": "Another-pass-2024"}
    for _ in range(3):
        response = client.post(reverse(url), {**form, "old_password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse(url), {**form, "old_password": "pw"})
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    world.liaison.refresh_from_db()
    assert world.liaison.check_password("pw")
    # ... and the name is locked for signing in too.
    assert LOCKED in login(Client(), "liaison", "pw").content.decode()


# ---------------------------------------------------------------- the proxy


def test_the_forwarded_client_is_believed_only_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.254", "172.30.0.0/24"]
    assert forwarded_client("10.0.0.1", "203.0.113.5") == "10.0.0.1"
    assert forwarded_client("10.0.0.254", "203.0.113.5") == "203.0.113.5"
    # What the client put in the header itself lies to the left of what the proxy added.
    assert forwarded_client("10.0.0.254", "1.2.3.4, 203.0.113.5") == "203.0.113.5"
    # Proxies in a chain are skipped; a malformed entry stops the walk at the peer.
    assert forwarded_client("172.30.0.1", "203.0.113.5, 10.0.0.254") == "203.0.113.5"
    assert forwarded_client("10.0.0.254", "garbage") == "10.0.0.254"
    assert forwarded_client("10.0.0.254", "") == "10.0.0.254"


def test_forwarded_headers_from_anyone_else_are_dropped(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.254"]
    seen = {}

    def view(request):
        seen.update(request.META)

    middleware = TrustedProxyMiddleware(view)
    middleware(RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4",
                                    HTTP_X_FORWARDED_PROTO="https"))
    assert seen["REMOTE_ADDR"] == "10.0.0.1"
    assert "HTTP_X_FORWARDED_FOR" not in seen and "HTTP_X_FORWARDED_PROTO" not in seen
    seen.clear()
    middleware(RequestFactory().get("/", REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="1.2.3.4",
                                    HTTP_X_FORWARDED_PROTO="https"))
    assert seen["REMOTE_ADDR"] == "1.2.3.4"
    assert seen["HTTP_X_FORWARDED_PROTO"] == "https"
