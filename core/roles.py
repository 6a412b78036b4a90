"""Who may do what: liaison staff and office staff by group, agency staff by membership.

Services take the acting user; ``actor=None`` stands for the system itself
(imports, demo data, management commands run by an administrator).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

LIAISON_GROUP = "liaison"  # 提案委工作人员
OFFICE_GROUP = "office"  # 办公室（印制）


def _in_group(user, name: str) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cache = getattr(user, "_group_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._group_names = cache
    return name in cache


def is_liaison(user) -> bool:
    return _in_group(user, LIAISON_GROUP)


def is_office(user) -> bool:
    return _in_group(user, OFFICE_GROUP)


def _memberships(user) -> dict[int, set[str]]:
    """Agency id → roles held there, read once per user object."""
    if user is None or not user.is_authenticated:
        return {}
    cache = getattr(user, "_agency_roles", None)
    if cache is None:
        cache = {}
        for agency_id, role in user.memberships.values_list("agency_id", "role"):
            cache.setdefault(agency_id, set()).add(role)
        user._agency_roles = cache
    return cache


def agency_roles(user, agency) -> set[str]:
    """The roles (officer, approver) ``user`` holds in ``agency``."""
    return _memberships(user).get(agency.pk, set())


def is_agency_member(user, agency) -> bool:
    """``user`` works in ``agency`` (as officer or approver), or is a superuser."""
    return user.is_superuser or bool(agency_roles(user, agency))


def agency_ids(user) -> set[int]:
    """The agencies ``user`` works in, as officer or approver."""
    return set(_memberships(user))


def approver_agency_ids(user) -> set[int]:
    """The agencies where ``user`` is an approver (签发人)."""
    return {agency_id for agency_id, roles in _memberships(user).items() if "approver" in roles}


def require_liaison(actor) -> None:
    if actor is not None and not is_liaison(actor):
        raise PermissionDenied(_("只有提案委工作人员可以进行此操作。"))


def require_agency_member(actor, agency) -> None:
    if actor is not None and not is_agency_member(actor, agency):
        raise PermissionDenied(
            _("只有%(agency)s的工作人员可以进行此操作。") % {"agency": agency.short_name}
        )


def require_approver(actor, agency) -> None:
    if actor is not None and not actor.is_superuser and "approver" not in agency_roles(actor, agency):
        raise PermissionDenied(
            _("只有%(agency)s的签发人可以进行此操作。") % {"agency": agency.short_name}
        )


def proposer_of(user):
    """The proposer (提案者) ``user`` signs in for, or None: members and the people acting for
    an organisation have a proposer account (members.ProposerAccount)."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_proposer"):
        # the reverse one-to-one of members.ProposerAccount; None when there is none
        account = getattr(user, "proposer_account", None)
        user._proposer = account.proposer if account is not None else None
    return user._proposer


def is_proposer(user) -> bool:
    return proposer_of(user) is not None


def works_in_an_office(user) -> bool:
    """Liaison or office staff, agency staff, or an administrator."""
    return bool(user.is_superuser or is_liaison(user) or is_office(user) or agency_ids(user))
