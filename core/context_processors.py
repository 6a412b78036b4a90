"""What every page's navigation needs to know about the signed-in user."""

from core.roles import agency_ids, is_liaison, is_office, is_proposer, works_in_an_office


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    liaison, office = is_liaison(user), is_office(user)
    in_agency = bool(agency_ids(user))
    return {
        "nav": {
            # A proposer account (and nothing else): the proposer side's navigation.
            "proposer": is_proposer(user) and not works_in_an_office(user),
            "liaison": liaison,
            "office": office,
            "agency": in_agency,
            "proposals": liaison or office or in_agency,
        },
        "can_print": liaison or office,
        # The admin link for those whose work is in the admin: administrators and liaison
        # staff; officers, approvers and the office work on the site's own pages.
        "admin_link": user.is_staff and (user.is_superuser or liaison),
    }
