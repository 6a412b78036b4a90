from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("检索")

    def ready(self):
        from core import actions

        from .hooks import reindex_touched

        actions.after_commit_of(reindex_touched)

        from django.db.models.signals import pre_delete

        from proposals.models import Proposal

        from .profiles import forget

        # A proposal deleted (in the admin, say) takes its terms out of the counts.
        pre_delete.connect(forget, sender=Proposal, dispatch_uid="search.forget_profile")
