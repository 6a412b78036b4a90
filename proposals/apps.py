from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("提案")

    def ready(self):
        from core import actions

        from .answers import refresh_touched

        actions.on_finish(refresh_touched)

        from workcalendar.calendar import calendar_changed

        from .recalculation import on_calendar_changed

        calendar_changed.connect(on_calendar_changed, dispatch_uid="proposals.recalculate_due_dates")
