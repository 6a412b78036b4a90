"""Pages for everyone, signed in or not: the login page (with failed-login throttling), the
password change behind the same throttle, and the health checks used by load balancers and container health checks."""

from django.urls import path

from core import health
from core.login import ThrottledLoginView, ThrottledPasswordChangeView

urlpatterns = [
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    # Django's page (django.contrib.auth.urls), the old password checked against the throttle.
    path("accounts/password_change/", ThrottledPasswordChangeView.as_view(), name="password_change"),
    path("health/", health.health, name="health"),
    path("health/live/", health.live, name="health_live"),
]
