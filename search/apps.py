from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("检索")

    def ready(self):
        from core import actions

        from .hooks import reindex_touched

        actions.after_commit_of(reindex_touched)
