"""What every page of the site does the same way: who may open it, how a refusal is shown
on the form the user filled in, htmx requests, and where to go back to.

The guards are built on :mod:`core.roles`; a page a user may not use answers 403 with the
reason (the site's 403 page shows it), a page that needs signing in sends to the login.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from .roles import is_liaison
from .workflow import DomainError

LIAISON_ONLY = _("只有提案委工作人员可以进行此操作。")


def signed_in(view):
    """A page for anyone signed in; what they see is scoped by ``visible_to``."""
    return login_required(view)


def allowed(test, message):
    """A page for the signed-in users ``test(user)`` admits; 403 with ``message`` for others."""

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied(str(message))
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorate


def require(test, user, message) -> None:
    """Inside a page: refuse with 403 and ``message`` unless ``test(user)``."""
    if not test(user):
        raise PermissionDenied(str(message))


liaison_only = allowed(is_liaison, LIAISON_ONLY)
"""A page that changes something only liaison staff may change: 403 for everyone else."""


def refuse(form, error: DomainError, extra: dict | None = None) -> None:
    """Show a service's refusal on ``form``: on its field when it names one the user can
    change, else above the form. ``extra`` maps names of things the form holds beside its
    fields (proposers, recommendations, assignments) to lists collecting their messages."""
    if error.field and extra is not None and error.field in extra:
        extra[error.field].append(error.message)
    elif error.field and error.field in form.fields and not form.fields[error.field].disabled:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def next_url(request, default: str) -> str:
    """The ``next`` the form or link carries when it is on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
