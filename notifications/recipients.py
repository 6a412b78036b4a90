"""Who is who, for notifications: an agency's staff and the liaison staff."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from agencies.models import Membership
from core.roles import LIAISON_GROUP


def agency_staff(agency_ids, roles=None):
    """The active users working in any of ``agency_ids`` (in ``roles``, if given)."""
    memberships = Membership.objects.filter(agency_id__in=agency_ids)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return get_user_model().objects.filter(
        is_active=True, pk__in=memberships.values("user_id")
    ).order_by("pk")


def officers(agency):
    """The agency's active officers (经办人)."""
    return agency_staff([agency.pk], [Membership.Role.OFFICER])


def approvers(agency):
    """The agency's active approvers (签发人)."""
    return agency_staff([agency.pk], [Membership.Role.APPROVER])


def liaison_staff():
    """The active members of the liaison group (提案委工作人员).

    Superusers see what liaison staff see, but are not sent the liaison staff's mail.
    """
    return get_user_model().objects.filter(
        is_active=True, groups__name=LIAISON_GROUP
    ).distinct().order_by("pk")
