"""Proposers stay on their own side of the site.

A proposer account (a member, or someone acting for an organisation) reaches the pages
written for proposers, the public portal, its notifications and the account pages; every
other page — the offices' lists, a proposal's handling, a letter being drafted, the admin —
answers 403 for it, whatever that page's own checks would say. A page added for the
offices later is therefore closed to proposers without anyone remembering to close it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from core.roles import is_proposer, works_in_an_office

# Where a proposer may go: these namespaces, and these URL names outside any namespace.
OPEN_NAMESPACES = {"members", "public", "notifications"}
OPEN_NAMES = {"home", "login", "logout", "password_change", "password_change_done", "set_language",
              "health", "health_live", "sms_login", "verify"}


class ProposerFenceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not is_proposer(user) or works_in_an_office(user):
            return None
        match = request.resolver_match
        if match is None:
            return None
        if match.namespaces and match.namespaces[0] in OPEN_NAMESPACES:
            return None
        if not match.namespaces and match.url_name in OPEN_NAMES:
            return None
        raise PermissionDenied
