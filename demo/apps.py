from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (``load_demo``) and generated data at scale (``generate_data``): the top
    floor, which may use every app and which no app uses."""

    name = "demo"
    verbose_name = _("演示数据")
