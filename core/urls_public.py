"""Pages for everyone, signed in or not: the login page (with failed-login throttling) and
the health checks used by load balancers and container health checks."""

from django.urls import path

from core import health
from core.login import ThrottledLoginView

urlpatterns = [
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("health/", health.health, name="health"),
    path("health/live/", health.live, name="health_live"),
]
