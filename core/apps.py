from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础")
    default = True

    def ready(self):
        from core import lookups

        lookups.register()


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin with the project's site (:class:`core.admin_site.AdminSite`)."""

    default = False
    default_site = "core.admin_site.AdminSite"
