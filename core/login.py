"""Failed-login throttling: too many wrong passwords lock the name, and the address, for a while.

The lock lives in the authentication backend (:class:`ThrottledModelBackend`), the one place
every way of signing in passes through: the site's login page, the admin's, and any later
caller of ``django.contrib.auth.authenticate``. The forms only word the refusal. Changing
one's password checks the old one through the same counters
(:class:`ThrottledPasswordChangeForm`).

Failures are counted in Django's cache, so every web process sees the same counts when the
cache is shared (Redis in production, see ``CACHE_URL``). Two counters, each over a
window of ``LOGIN_LOCKOUT_SECONDS`` from the first failure:

* per user name, whatever the address: ``LOGIN_FAILURE_LIMIT`` failures lock the name, so
  that guessing one person's password from many addresses gets no further than from one;
* per client address: ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures lock the address for every
  name, which stops one machine trying many names. The address is the peer's, or the one
  the trusted proxy reports (:mod:`core.proxy`); a forged ``X-Forwarded-For`` changes nothing.

While locked, even the right password is refused, so guessing cannot go on. A successful
login clears the name's counter. Each lock is logged for the security staff.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import ngettext

logger = logging.getLogger("security.login")


def client_address(request) -> str:
    """The client's address (``REMOTE_ADDR``, set from a trusted proxy by :mod:`core.proxy`)."""
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def _name_key(username: str) -> str:
    return _key("name", username.strip().lower())


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


def is_locked(username: str, address: str = "") -> bool:
    """Whether ``username`` (any address) or ``address`` (any name) is locked now."""
    if username and _count(_name_key(username)) >= settings.LOGIN_FAILURE_LIMIT:
        return True
    return bool(address) and _count(_address_key(address)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def record_failure(username: str, address: str = "") -> None:
    by_name = _bump(_name_key(username)) if username else 0
    by_address = _bump(_address_key(address)) if address else 0
    if by_name == settings.LOGIN_FAILURE_LIMIT or by_address == settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        logger.warning("login locked after repeated failures", extra={
            "username": username, "client": address, "failures": by_name,
            "failures_from_address": by_address,
        })


def clear_failures(username: str) -> None:
    cache.delete(_name_key(username))


def locked_message() -> str:
    minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
    return ngettext(
        "登录失败次数过多，请%(minutes)d分钟后再试，或联系系统管理员。",
        "登录失败次数过多，请%(minutes)d分钟后再试，或联系系统管理员。",
        minutes,
    ) % {"minutes": minutes}


class ThrottledModelBackend(ModelBackend):
    """Django's user-and-password backend behind the lock.

    A locked name or address is refused before the password is looked at (raising
    ``PermissionDenied`` stops ``authenticate`` at once); a wrong password is counted,
    a right one clears the name's count.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        username = str(username)
        address = client_address(request)
        if is_locked(username, address):
            raise PermissionDenied(locked_message())
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(username, address)
        else:
            clear_failures(username)
        return user


class ThrottleMessageMixin:
    """A login form that says so when the name or address is locked (the backend refuses it)."""

    throttled = False

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        try:
            return super().clean()
        except ValidationError:
            if is_locked(username, client_address(self.request)):
                self.throttled = True
                raise ValidationError(locked_message(), code="throttled") from None
            raise


class ThrottledAuthenticationForm(ThrottleMessageMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottleMessageMixin, AdminAuthenticationForm):
    pass


class PasswordCheckThrottleMixin:
    """Changing one's password: the old password is guessed against the same lock."""

    def clean_old_password(self):
        username = self.user.get_username()
        if is_locked(username):
            raise ValidationError(locked_message(), code="throttled")
        try:
            value = super().clean_old_password()
        except ValidationError:
            record_failure(username)
            raise
        clear_failures(username)
        return value


class ThrottledPasswordChangeForm(PasswordCheckThrottleMixin, PasswordChangeForm):
    pass


class ThrottledAdminPasswordChangeForm(PasswordCheckThrottleMixin, AdminPasswordChangeForm):
    pass


class ThrottledLoginView(LoginView):
    """The site's login. ``settings.LOGIN_SECOND_STEP`` (a dotted path) may ask a user who
    gave the right password for a second step before signing them in: it is called with
    the request and the user, and returns the response that starts the step, or None."""

    form_class = ThrottledAuthenticationForm

    def form_valid(self, form):
        step = getattr(settings, "LOGIN_SECOND_STEP", "")
        if step:
            response = import_string(step)(self.request, form.get_user(), self.get_success_url())
            if response is not None:
                return response
        return super().form_valid(form)


class ThrottledPasswordChangeView(PasswordChangeView):
    form_class = ThrottledPasswordChangeForm
