from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """公开: the reply letters disclosed 主动公开, for anyone, without signing in."""

    name = "public"
    verbose_name = _("答复公开")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from replies.models import ReplyLetter

        from .cache import publication_changed

        post_save.connect(publication_changed, sender=ReplyLetter, dispatch_uid="public-letter-saved")
        post_delete.connect(publication_changed, sender=ReplyLetter, dispatch_uid="public-letter-deleted")
