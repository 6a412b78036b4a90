"""What every page's navigation needs to know of the user's notifications."""

import functools

from .models import Notification


def unread(request) -> dict:
    """The user's unread notifications, counted once, and only if a template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": functools.cache(lambda: Notification.objects.of(user).unread().count())}
