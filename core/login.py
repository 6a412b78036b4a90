"""Failed-login throttling: too many wrong passwords lock the name (and the address) for a while.

Failures are counted in Django's cache, so every web process sees the same counts when the
cache is shared (Redis in production, see ``CACHE_URL``). Two counters, each over a
sliding window of ``LOGIN_LOCKOUT_SECONDS``:

* per user name and client address: ``LOGIN_FAILURE_LIMIT`` failures lock that pair;
* per client address: ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures lock the address for every
  name, which stops one machine trying many names.

While locked, even the right password is refused, so guessing cannot go on. A successful
login clears the pair's counter. Each lock is logged for the security staff.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

logger = logging.getLogger("security.login")


def client_address(request) -> str:
    """The client's address; behind a trusted proxy, the last address it added."""
    if request is None:
        return ""
    if getattr(settings, "LOGIN_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def _pair_key(username: str, address: str) -> str:
    return _key("pair", username.strip().lower(), address)


def _address_key(address: str) -> str:
    return _key("address", address)


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _bump(key: str) -> int:
    window = settings.LOGIN_LOCKOUT_SECONDS
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def is_locked(username: str, address: str) -> bool:
    return (
        _count(_pair_key(username, address)) >= settings.LOGIN_FAILURE_LIMIT
        or _count(_address_key(address)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
    )


def record_failure(username: str, address: str) -> None:
    pair = _bump(_pair_key(username, address))
    by_address = _bump(_address_key(address))
    if pair == settings.LOGIN_FAILURE_LIMIT or by_address == settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        logger.warning("login locked after repeated failures", extra={
            "username": username, "client": address, "failures": pair,
            "failures_from_address": by_address,
        })


def clear_failures(username: str, address: str) -> None:
    cache.delete(_pair_key(username, address))


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, refusing a name and address that failed too often."""

    throttled = False

    def _locked_error(self) -> ValidationError:
        minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
        return ValidationError(
            ngettext(
                "登录失败次数过多，请%(minutes)d分钟后再试，或联系系统管理员。",
                "登录失败次数过多，请%(minutes)d分钟后再试，或联系系统管理员。",
                minutes,
            ) % {"minutes": minutes},
            code="throttled",
        )

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        if username and is_locked(username, address):
            self.throttled = True
            raise self._locked_error()
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                record_failure(username, address)
            raise
        clear_failures(username, address)
        return cleaned


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
