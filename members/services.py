"""Every write of the proposer side.

- Accounts (liaison staff): :func:`account_create`, :func:`account_set_active`,
  :func:`accounts_import` (rows read from an Excel sheet).
- Writing online (the lead proposer): :func:`online_save` keeps a draft;
  :func:`invitation_add` / :func:`invitation_remove` invite co-signers (联名);
  :func:`attachment_add` / :func:`attachment_delete`; :func:`online_submit` makes it a
  proposal 待审查 in the liaison staff's list.
- Co-signing (each invited proposer): :func:`invitation_answer`.
- Rating (each proposer of an answered proposal): :func:`rating_record`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from core import files
from core.actions import action
from core.concurrency import check_version
from core.roles import require_liaison
from core.transactions import after_commit
from core.workflow import DomainError, check_move
from history.models import StateChange
from proposals.deadlines import UnknownCalendarYear
from proposals.models import (
    Feedback,
    Proposal,
    ProposalAttachment,
    Proposer,
    Satisfaction,
    Session,
    Signature,
)
from proposals.services import common
from proposals.services.common import full_clean
from proposals.services.intake import proposal_create
from proposals.splitting import split_recommendations

from .models import DraftAttachment, Invitation, OnlineProposal, ProposerAccount

MAX_ATTACHMENTS = 10
MAX_INVITATIONS = 50


def _day(value: datetime.date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": value.year, "m": value.month, "d": value.day}


class NotYours(DomainError):
    """The acting proposer may not do this to this object."""


# ---------------------------------------------------------------- accounts


@action
def account_create(*, username: str, name: str, kind: str = Proposer.Kind.MEMBER, sector: str = "",
                   mobile: str = "", email: str = "", password: str | None = None,
                   display_name: str = "", actor=None) -> ProposerAccount:
    """A proposer account for the proposer ``name`` of ``kind`` (created if new).

    A member has one account; an organisation may have several, one per person acting
    for it. Without a password the account cannot sign in until one is set.
    """
    require_liaison(actor)
    username = (username or "").strip()
    name = (name or "").strip()
    if not username:
        raise DomainError(_("登录名不能为空。"), field="username")
    if not name:
        raise DomainError(_("提案者姓名或名称不能为空。"), field="name")
    if kind not in Proposer.Kind.values:
        raise DomainError(_("提案者类型“%(kind)s”无效。") % {"kind": kind}, field="kind")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("登录名“%(name)s”已被使用。") % {"name": username}, field="username")
    proposer, _created = Proposer.objects.get_or_create(name=name, kind=kind)
    if kind == Proposer.Kind.MEMBER and proposer.accounts.exists():
        raise DomainError(_("委员“%(name)s”已有账号。") % {"name": name}, field="name")
    user = User(username=username, first_name=(display_name or name)[:150], email=(email or "").strip(),
                is_staff=False)
    full_clean(user, exclude=["password"])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    account = ProposerAccount(user=user, proposer=proposer, sector=(sector or "").strip(),
                              mobile=(mobile or "").strip())
    full_clean(account, exclude=["user", "proposer"])
    account.save()
    return account


@action
def account_set_active(*, account: ProposerAccount, active: bool, actor=None) -> ProposerAccount:
    """Disable (停用) or enable an account: a disabled one cannot sign in."""
    require_liaison(actor)
    user = account.user
    user.is_active = bool(active)
    user.save(update_fields=["is_active"])
    return account


HEADERS = {"姓名": "name", "名称": "name", "界别": "sector", "手机": "mobile", "手机号码": "mobile",
           "电子邮箱": "email", "邮箱": "email", "登录名": "username", "类型": "kind"}
KIND_WORDS = {str(label): value for value, label in Proposer.Kind.choices}


def read_account_rows(data: bytes) -> list[dict]:
    """The rows of an Excel sheet of accounts: a header line (姓名, 界别, 手机, 电子邮箱;
    optionally 登录名 and 类型), then one person per line."""
    import io
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise DomainError(_("无法读取该文件，请上传 Excel（.xlsx）文件。"), field="file") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True, max_row=2001)
    header = next(rows, None)
    if not header:
        raise DomainError(_("表格是空的。"), field="file")
    names = [HEADERS.get(str(cell or "").strip()) for cell in header]
    if "name" not in names:
        raise DomainError(_("表格第一行须有“姓名”一列（以及界别、手机、电子邮箱）。"), field="file")
    out = []
    for line, values in enumerate(rows, start=2):
        if line > 2000:
            raise DomainError(_("一次最多导入2000行。"), field="file")
        row = {key: str(value).strip() if value is not None else ""
               for key, value in zip(names, values, strict=False) if key}
        if any(row.values()):
            row["line"] = line
            out.append(row)
    return out


@action
def accounts_import(*, rows: Iterable[Mapping], actor=None, password: str | None = None) -> list[ProposerAccount]:
    """Create an account for each row; one bad row refuses the whole file, naming its line.

    A row without 登录名 gets the mobile number as login name. Rows whose person already
    has an account are refused, so that a file imported twice creates nobody twice.
    """
    require_liaison(actor)
    made = []
    for row in rows:
        kind = KIND_WORDS.get(row.get("kind") or "", row.get("kind") or Proposer.Kind.MEMBER)
        username = row.get("username") or row.get("mobile") or ""
        try:
            made.append(account_create(
                username=username, name=row.get("name", ""), kind=kind, sector=row.get("sector", ""),
                mobile=row.get("mobile", ""), email=row.get("email", ""), password=password, actor=actor,
            ))
        except DomainError as error:
            raise DomainError(_("第%(line)s行：%(error)s") % {"line": row.get("line", "?"), "error": error.message},
                              field="file") from None
    return made


# ---------------------------------------------------------------- writing online


def _lock(online: OnlineProposal) -> OnlineProposal:
    return OnlineProposal.objects.select_for_update().get(pk=online.pk)


def _require_lead(online: OnlineProposal, proposer: Proposer) -> None:
    if online.lead_id != proposer.pk:
        raise NotYours(_("只有领衔提案者可以修改这件提案。"))


def recommendations_from(text: str) -> list[dict]:
    """The numbered recommendations in pasted text (the liaison staff's splitting rules)."""
    return [{"title": item.title, "body": item.body} for item in split_recommendations(text or "")]


@action
def online_save(*, proposer: Proposer, session: Session, title: str, body: str = "", category=None,
                recommendations: Iterable[Mapping] = (), cosign_deadline: datetime.date | None = None,
                online: OnlineProposal | None = None, expected_version: int | None = None,
                actor=None) -> OnlineProposal:
    """Save a draft (a new one when ``online`` is None). Saving checks lengths, not completeness."""
    previous_deadline = None
    if online is None:
        online = OnlineProposal(session=session, lead=proposer,
                                created_by=actor if actor is not None and actor.is_authenticated else None)
    else:
        online = _lock(online)
        _require_lead(online, proposer)
        online.check_allowed("edit")
        check_version(online, expected_version, ["title", "body", "category", "cosign_deadline"])
        previous_deadline = online.cosign_deadline
        online.version += 1
    online.session = session
    online.title = (title or "").strip()
    online.body = body or ""
    online.category = category
    online.recommendations = [
        {"title": (item.get("title") or "").strip(), "body": (item.get("body") or "").strip()}
        for item in recommendations if (item.get("title") or "").strip() or (item.get("body") or "").strip()
    ]
    if cosign_deadline is not None and cosign_deadline < common.today() and cosign_deadline != previous_deadline:
        raise DomainError(_("联名截止日期不能早于今天。"), field="cosign_deadline")
    online.cosign_deadline = cosign_deadline
    full_clean(online, exclude=["lead", "session", "proposal", "created_by"])
    for ordinal, item in enumerate(online.recommendations, start=1):
        if not item["title"]:
            raise DomainError(_("第%(n)s条建议的标题不能为空。") % {"n": ordinal}, field="recommendations")
        if len(item["title"]) > 300:
            raise DomainError(_("第%(n)s条建议的标题不能超过300字。") % {"n": ordinal}, field="recommendations")
    online.save()
    return online


@action
def online_delete(*, online: OnlineProposal, proposer: Proposer, actor=None) -> None:
    online = _lock(online)
    _require_lead(online, proposer)
    online.check_allowed("edit")
    names = [(a.file.storage, a.file.name) for a in online.attachments.all()]
    online.delete()
    for storage, name in names:
        after_commit(storage.delete, name)


def invitable(name: str, lead: Proposer) -> Proposer:
    """The proposer named ``name`` who can be invited: one with an active account."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写受邀提案者的姓名或名称。"), field="name")
    found = list(Proposer.objects.filter(name=name, accounts__user__is_active=True).distinct()[:2])
    if not found:
        raise DomainError(_("没有找到已开通账号的提案者“%(name)s”。不在系统中的提案者，可在提交后由提案委登记书面联名。")
                          % {"name": name}, field="name")
    if len(found) > 1:
        raise DomainError(_("有多位提案者名为“%(name)s”，请联系提案委。") % {"name": name}, field="name")
    if found[0].pk == lead.pk:
        raise DomainError(_("领衔提案者不必邀请自己。"), field="name")
    return found[0]


@action
def invitation_add(*, online: OnlineProposal, proposer: Proposer, name: str, actor=None) -> Invitation:
    """Invite the proposer named ``name`` to co-sign (联名); they are told at once."""
    online = _lock(online)
    _require_lead(online, proposer)
    online.check_allowed("edit")
    invited = invitable(name, online.lead)
    if online.cosign_deadline is None:
        raise DomainError(_("请先设定联名截止日期并保存，再邀请联名。"), field="name")
    if online.cosign_deadline < common.today():
        raise DomainError(_("联名截止日期已过，请先修改截止日期。"), field="name")
    if online.invitations.filter(proposer=invited).exists():
        raise DomainError(_("已邀请过“%(name)s”。") % {"name": invited.name}, field="name")
    if online.invitations.count() >= MAX_INVITATIONS:
        raise DomainError(_("一件提案最多邀请%(n)s位联名。") % {"n": MAX_INVITATIONS}, field="name")
    invitation = Invitation.objects.create(online=online, proposer=invited)
    from notifications import proposer_events

    proposer_events.cosign_invited(invitation=invitation, actor=actor)
    return invitation


@action
def invitation_remove(*, invitation: Invitation, proposer: Proposer, actor=None) -> None:
    online = _lock(invitation.online)
    _require_lead(online, proposer)
    online.check_allowed("edit")
    invitation.delete()


@action
def invitation_answer(*, invitation: Invitation, proposer: Proposer, confirm: bool, actor=None) -> Invitation:
    """The invited proposer confirms (确认联名) or declines, before the deadline and
    while the proposal is still a draft."""
    invitation = Invitation.objects.select_for_update().select_related("online").get(pk=invitation.pk)
    if invitation.proposer_id != proposer.pk:
        raise NotYours(_("这份联名邀请不是发给您的。"))
    online = invitation.online
    if online.state != OnlineProposal.State.DRAFT:
        raise DomainError(_("提案已提交，联名已截止。"))
    if online.cosign_deadline is not None and common.today() > online.cosign_deadline:
        raise DomainError(_("联名截止日期（%(date)s）已过。") % {"date": _day(online.cosign_deadline)})
    move = check_move(invitation, "confirm" if confirm else "decline")
    invitation.state = move.target
    invitation.answered_by = actor if actor is not None and actor.is_authenticated else None
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["state", "answered_by", "answered_at"])
    from notifications import proposer_events

    proposer_events.cosign_answered(invitation=invitation, actor=actor)
    return invitation


@action
def attachment_add(*, online: OnlineProposal, proposer: Proposer, upload, actor=None) -> DraftAttachment:
    online = _lock(online)
    _require_lead(online, proposer)
    online.check_allowed("edit")
    if online.attachments.count() >= MAX_ATTACHMENTS:
        raise DomainError(_("一件提案最多上传%(n)s个附件。") % {"n": MAX_ATTACHMENTS}, field="file")
    checked, data = files.check_upload(upload, files.MATERIALS)
    attachment = DraftAttachment(online=online, name=checked.name, kind=checked.kind,
                                 content_type=checked.content_type, size=checked.size, sha256=checked.sha256)
    attachment.file.save(checked.name, ContentFile(data), save=False)
    attachment.save()
    return attachment


@action
def attachment_delete(*, attachment: DraftAttachment, proposer: Proposer, actor=None) -> None:
    online = _lock(attachment.online)
    _require_lead(online, proposer)
    online.check_allowed("edit")
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    after_commit(storage.delete, name)


def submit_refusal(online: OnlineProposal) -> str:
    """Why ``online`` cannot be submitted now; "" when it can."""
    if online.state != OnlineProposal.State.DRAFT:
        return _("提案已提交。")
    if refusal := online.session.submission_refusal(common.today()):
        return refusal
    if not online.title.strip():
        return _("请填写案由。")
    if not online.recommendations:
        return _("请至少写一条建议。")
    pending = [i for i in online.invitations.all() if i.state == Invitation.State.PENDING]
    if pending and online.cosign_deadline is not None and common.today() <= online.cosign_deadline:
        return _("还有%(n)s位受邀者尚未答复联名；截止日期（%(date)s）过后，或全部答复后才能提交。") % {
            "n": len(pending), "date": _day(online.cosign_deadline)}
    return ""


@action
def online_submit(*, online: OnlineProposal, proposer: Proposer, actor=None) -> Proposal:
    """Submit: the proposal is logged 待审查 with its lead and the co-signers who confirmed,
    its recommendations and attachments, and the liaison staff are told."""
    online = _lock(online)
    _require_lead(online, proposer)
    if refusal := submit_refusal(online):
        raise DomainError(refusal)
    confirmed = [i.proposer for i in online.invitations.select_related("proposer")
                 .filter(state=Invitation.State.CONFIRMED).order_by("answered_at", "id")]
    proposal = proposal_create(
        session=online.session, title=online.title, body=online.body, category=online.category,
        submitted_on=common.today(),
        proposers=[{"name": online.lead.name, "kind": online.lead.kind, "role": Signature.Role.LEAD}]
        + [{"name": p.name, "kind": p.kind, "role": Signature.Role.CO_SIGNER} for p in confirmed],
        recommendations=online.recommendations,
    )
    for draft in online.attachments.all():
        with draft.file.open("rb") as stored:
            data = stored.read()
        copy = ProposalAttachment(proposal=proposal, name=draft.name, kind=draft.kind,
                                  content_type=draft.content_type, size=draft.size, sha256=draft.sha256,
                                  uploaded_by=actor if actor is not None and actor.is_authenticated else None)
        copy.file.save(draft.name, ContentFile(data), save=False)
        copy.save()
    check_move(online, "submit")
    online.state = OnlineProposal.State.SUBMITTED
    online.proposal = proposal
    online.submitted_at = timezone.now()
    online.save(update_fields=["state", "proposal", "submitted_at", "updated_at"])
    StateChange.record(proposal, action="submit_online", actor=actor,
                       data={"lead": online.lead.name, "co_signers": [p.name for p in confirmed]})
    from notifications import proposer_events

    proposer_events.online_submitted(proposal=proposal, actor=actor)
    return proposal


# ---------------------------------------------------------------- rating


def answered_on(proposal: Proposal) -> datetime.date | None:
    """The day the proposal was answered this round: its last signed letter's date."""
    from django.db.models import Max

    from replies.models import ReplyLetter

    day = ReplyLetter.objects.final().filter(proposal=proposal, round=proposal.round).aggregate(
        day=Max("signed_on"))["day"]
    if day is None:
        change = (StateChange.objects.filter(proposal=proposal, action="reply", content_type__model="proposal")
                  .order_by("-at", "-id").first())
        day = timezone.localdate(change.at) if change else None
    return day


def rating_window(proposal: Proposal) -> tuple[datetime.date, datetime.date] | None:
    """(first, last day) a proposer may rate the answer: from the day it was answered to the
    end of the session's feedback period (反馈期限); None when it is not answered."""
    if proposal.state != Proposal.State.REPLIED:
        return None
    start = answered_on(proposal)
    if start is None:
        return None
    try:
        last = proposal.session.due_date("feedback", start).date
    except UnknownCalendarYear:
        last = start + datetime.timedelta(days=31)
    return start, last


def rating_refusal(proposal: Proposal) -> str:
    window = rating_window(proposal)
    if window is None:
        return _("提案答复后才能评价。")
    if common.today() > window[1]:
        return _("评价期限已于%(date)s截止；如有意见请联系提案委。") % {"date": _day(window[1])}
    return ""


def is_signatory(proposal: Proposal, proposer: Proposer) -> bool:
    return Signature.objects.filter(proposal=proposal, proposer=proposer).exists()


@action
def rating_record(*, proposal: Proposal, proposer: Proposer, handling: str, result: str, comment: str = "",
                  actor=None) -> Feedback:
    """The proposer's own rating of this round's answer; rating again within the period
    replaces their earlier rating. 不满意 puts the proposal on the liaison staff's list."""
    proposal = common.lock(proposal)
    if not is_signatory(proposal, proposer):
        raise NotYours(_("只有本提案的提案者可以评价。"))
    if refusal := rating_refusal(proposal):
        raise DomainError(refusal)
    for value, what in ((handling, _("对办理工作")), (result, _("对办理结果"))):
        if value not in Satisfaction.values:
            raise DomainError(_("请选择%(what)s的评价。") % {"what": what},
                              field="handling" if value is handling else "result")
    comment = (comment or "").strip()
    if len(comment) > Feedback._meta.get_field("comment").max_length:
        raise DomainError(_("意见不能超过%(n)s字。") % {"n": Feedback._meta.get_field("comment").max_length},
                          field="comment")
    if (result == Satisfaction.DISSATISFIED or handling == Satisfaction.DISSATISFIED) and not comment:
        raise DomainError(_("选择“不满意”时，请写明意见，便于重新办理。"), field="comment")
    feedback = proposal.feedback.filter(round=proposal.round, proposer=proposer, online=True).first()
    if feedback is None:
        feedback = Feedback(proposal=proposal, round=proposal.round, proposer=proposer, online=True)
    feedback.received_on = common.today()
    feedback.handling, feedback.result, feedback.comment = handling, result, comment
    feedback.recorded_by = actor if actor is not None and actor.is_authenticated else None
    feedback.save()
    StateChange.record(feedback, action="feedback", actor=actor, proposal=proposal,
                       data={"handling": handling, "result": result, "proposer": proposer.name, "online": True})
    from notifications import proposer_events

    proposer_events.rated(feedback=feedback, actor=actor)
    return feedback
