"""The texts that refuse bad input about assignments and feedback, written once: the
services refuse with them, and the forms check the same rules earlier with the same words."""

from django.utils.translation import gettext_lazy as _

NO_AGENCY = _("请至少指定一个承办单位。")
AGENCY_TWICE = _("同一单位不能重复交办。")
DUE_BEFORE_ASSIGNED = _("办理期限不能早于交办日期。")
REASON_FOR_ADDED_AGENCY = _("交办后增加承办单位须说明理由。")
ENTER_DUE_DATE = _("%(error)s请直接填写办理期限。")
DUE_OUT_OF_RANGE = _("期限超出可以计算的日期范围。")
RECEIVED_IN_THE_FUTURE = _("收到日期不能晚于今天。")
