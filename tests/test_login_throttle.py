"""Failed-login throttling: repeated wrong passwords lock the name from that address."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    settings.LOGIN_LOCKOUT_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def login(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_the_right_password_logs_in(client, world):
    response = login(client, "liaison", "pw")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_after_the_limit_even_the_right_password_is_refused(client, world, caplog):
    for _ in range(3):
        response = login(client, "liaison", "wrong")
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()
    assert "login locked" in caplog.text
    response = login(client, "liaison", "pw")
    assert response.status_code == 200
    assert "登录失败次数过多，请10分钟后再试" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_address_and_name(client, world):
    for _ in range(3):
        login(client, "liaison", "wrong")
    assert login(client, "liaison", "pw", address="10.0.0.2").status_code == 302
    client.logout()
    assert login(client, "office", "pw").status_code == 302


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


def test_the_lock_ends_when_the_window_passes(client, world, monkeypatch):
    for _ in range(3):
        login(client, "liaison", "wrong")
    assert LOCKED in login(client, "liaison", "pw").content.decode()
    cache.clear()  # what the expiry of the window does
    assert login(client, "liaison", "pw").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, world, settings):
    settings.LOGIN_TRUST_X_FORWARDED_FOR = True
    for _ in range(3):
        client.post(reverse("login"), {"username": "liaison", "password": "wrong"},
                    REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.5")
    other = client.post(reverse("login"), {"username": "liaison", "password": "pw"},
                        REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.status_code == 302
