"""The history: who did what to which object, when and why — for every app.

A line names its object generically (content type and id) and the proposal it belongs
to. :meth:`StateChange.record` is how history is written, and writing it tells the
running action (:mod:`core.actions`) what was touched, so whatever is derived from it
is brought up to date without the writer knowing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import actions


class StateChangeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """History ``user`` may read: of the proposals they may see, without the steps
        another agency took inside itself.

        A model whose history has such steps lists their actions in ``INTERNAL_ACTIONS``
        and has an ``agency``: those rows are read by that agency's staff and by liaison
        staff (who read everything), by no one else — not the other agencies on the
        proposal, not the office. So an approver's reason for returning a draft stays in
        its agency, on every page and in the admin.
        """
        from django.apps import apps

        from core.roles import agency_ids, is_liaison

        if user is None or not user.is_authenticated:
            return self.none()
        if is_liaison(user):
            return self
        proposals = self.model.proposal.field.related_model.objects.visible_to(user)
        rows = self.filter(proposal__in=proposals.values("pk"))
        ids = agency_ids(user)
        for model in apps.get_models():
            internal_actions = getattr(model, "INTERNAL_ACTIONS", None)
            if not internal_actions:
                continue
            internal = models.Q(
                content_type=ContentType.objects.get_for_model(model), action__in=internal_actions)
            own = models.Q(object_id__in=model._default_manager.filter(agency_id__in=ids).values("pk"))
            rows = rows.exclude(internal & ~own)
        return rows


class StateChange(models.Model):
    """A line of history: who moved what from which state to which, when and why."""

    proposal = models.ForeignKey(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="history", verbose_name=_("提案")
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("对象类型")
    )
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    action = models.CharField(_("操作"), max_length=30)
    source = models.CharField(_("原状态"), max_length=20, blank=True)
    target = models.CharField(_("新状态"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("操作人"),
    )
    reason = models.TextField(_("理由"), blank=True)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = StateChangeQuerySet.as_manager()

    class Meta:
        # The table keeps the name it had when the history lived in the proposals app.
        db_table = "proposals_statechange"
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="proposals_s_content_297bb4_idx")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.action} {self.source}→{self.target}"

    @classmethod
    def record(cls, obj, *, action, source="", target="", actor=None, reason="", proposal=None,
               data=None):
        """Write a line about ``obj`` (a proposal, or an object with a ``proposal``) and
        mark both as touched by the running action."""
        if proposal is None:
            proposal = obj if isinstance(obj, cls.proposal.field.related_model) else obj.proposal
        line = cls.objects.create(
            proposal=proposal,
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=obj.pk,
            action=action,
            source=source,
            target=target,
            actor=actor if actor is not None and actor.is_authenticated else None,
            reason=reason or "",
            data=data or {},
        )
        actions.touch(obj, proposal=proposal, action=action)
        return line

    @property
    def subject_label(self) -> str:
        return str(self.content_type.model_class()._meta.verbose_name)

    def _label(self, state):
        model = self.content_type.model_class()
        return str(dict(model.State.choices).get(state, state)) if hasattr(model, "State") else state

    @property
    def source_label(self) -> str:
        return self._label(self.source)

    @property
    def target_label(self) -> str:
        return self._label(self.target)

    @property
    def action_label(self) -> str:
        model = self.content_type.model_class()
        move = getattr(model, "MOVES", {}).get(self.action)
        if move is not None:
            return str(move.label)
        return str(ACTION_LABELS.get(self.action, self.action))


# Labels of history actions that are not state moves.
ACTION_LABELS = {
    "create": _("创建"),
    "import": _("导入"),
    "update": _("修改"),
    "extend": _("调整期限"),
    "recalculate_due": _("按新日历重算期限"),
    "report_progress": _("报告承诺落实进展"),
    "change_commitment": _("修改承诺事项"),
    "rehandling_due": _("重新办理期限"),
    "request_extension": _("申请延期"),
    "request_release": _("申请退办"),
    "reassign": _("改办"),
    "contact": _("登记沟通情况"),
    "word_part": _("修改答复函措辞"),
    "attach": _("上传附件"),
    "detach": _("删除附件"),
    "reset_part": _("恢复为办理意见原文"),
    "delete_contact": _("删除沟通记录"),
    "feedback": _("登记反馈"),
    "set_class": _("确定分类"),
    "add_assignment": _("增加承办单位"),
    "remove_assignment": _("撤回交办"),
    "submit_online": _("网上提交"),
    "hold": _("暂不公开"),
    "publish": _("恢复公开"),
}
