from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """提案者端: members and organisations submit, co-sign, follow and rate online."""

    name = "members"
    verbose_name = _("提案者")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import actions
        from notifications.proposer_events import announce_moves

        actions.on_finish(announce_moves)
