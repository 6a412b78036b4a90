from django.contrib import admin
from django.urls import include, path

from members.sms_login import code_page
from public.verify import verify
from replies.views import home

urlpatterns = [
    path("", home.home, name="home"),
    path("", include("core.urls_public")),
    # the second step of a proposer's sign-in, where SMS codes are on (members.sms_login)
    path("accounts/code/", code_page, name="sms_login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("proposals/", include("proposals.urls")),
    path("search/", include("search.urls")),
    path("followup/", include("followup.urls")),
    path("notifications/", include("notifications.urls")),
    path("my/", include("members.urls")),
    path("public/", include("public.urls")),
    # anyone checks a signed letter by its code or its PDF (public.verify)
    path("verify/", verify, name="verify"),
    path("", include("replies.urls")),
]

# A request the site cannot take: its own page, saying why (core.errors).
handler400 = "core.errors.bad_request"
