"""公开: whether a signed letter disclosed 主动公开 is on the public portal.

A signed or issued letter whose disclosure is 主动公开 is published (public app) unless the
liaison staff hold it back (暂不公开) with a reason; they may publish it again later.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import action
from core.roles import require_liaison
from core.workflow import DomainError, require_reason
from history.models import StateChange

from ..models import Disclosure, ReplyLetter
from .common import lock_letter


def publication_state(letter: ReplyLetter) -> str:
    """How the portal treats the letter, in words for the letter's page."""
    if letter.state not in (ReplyLetter.State.SIGNED, ReplyLetter.State.ISSUED):
        return _("签发后按公开方式处理；作废的答复函不公开。")
    if letter.disclosure != Disclosure.PUBLIC:
        return _("公开方式为“%(d)s”，不在公开栏发布。") % {"d": letter.get_disclosure_display()}
    if letter.held_reason:
        return _("暂不公开：%(reason)s") % {"reason": letter.held_reason}
    return _("已在公开栏发布（联系方式已隐去）。")


@action
def letter_hold(*, letter: ReplyLetter, reason: str, actor=None) -> ReplyLetter:
    """暂不公开: keep a 主动公开 letter off the portal, saying why."""
    require_liaison(actor)
    letter = lock_letter(letter)
    reason = require_reason(reason, _("暂不公开"))
    if letter.disclosure != Disclosure.PUBLIC or letter.state not in (ReplyLetter.State.SIGNED,
                                                                       ReplyLetter.State.ISSUED):
        raise DomainError(_("只有已签发、公开方式为“主动公开”的答复函才需要暂不公开。"))
    letter.held_reason = reason
    letter.held_by = actor if actor is not None and actor.is_authenticated else None
    letter.held_at = timezone.now()
    letter.save(update_fields=["held_reason", "held_by", "held_at", "updated_at"])
    StateChange.record(letter, action="hold", actor=actor, reason=reason)
    return letter


@action
def letter_publish(*, letter: ReplyLetter, actor=None) -> ReplyLetter:
    """Lift a hold: the letter is on the portal again."""
    require_liaison(actor)
    letter = lock_letter(letter)
    if not letter.held_reason:
        raise DomainError(_("这份答复函没有被暂不公开。"))
    letter.held_reason, letter.held_by, letter.held_at = "", None, None
    letter.save(update_fields=["held_reason", "held_by", "held_at", "updated_at"])
    StateChange.record(letter, action="publish", actor=actor)
    return letter
