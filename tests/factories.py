"""factory_boy factories, and a small world of users and agencies most tests start from."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from agencies.models import Agency, Membership
from core.roles import LIAISON_GROUP, OFFICE_GROUP
from history.models import StateChange
from proposals import services as proposal_services
from proposals.models import Proposal, Session
from replies import services as reply_services
from replies.models import AdoptionStatus

User = get_user_model()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ag{n}")
    name = factory.LazyAttribute(lambda o: f"测试市{o.code}局")
    short_name = factory.LazyAttribute(lambda o: f"市{o.code}局")
    title_name = factory.LazyAttribute(lambda o: o.name)
    letterhead = factory.LazyAttribute(lambda o: f"{o.name}文件")
    doc_prefix = factory.Sequence(
        lambda n: f"测{'甲乙丙丁戊己庚辛壬癸'[n % 10]}{'子丑寅卯辰巳午未申酉戌亥'[n // 10 % 12]}函"
    )
    contact = "王某，12345678"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session
        django_get_or_create = ("code",)

    code = "13-2"
    committee = "政协测试市委员会"
    term = 13
    meeting = 2
    year = 2023
    name = "市政协十三届二次会议"


def user_in(agency: Agency, role: str, username: str | None = None):
    user = UserFactory(username=username or f"{agency.code}-{role}")
    Membership.objects.get_or_create(user=user, agency=agency, role=role)
    return user


def user_in_group(name: str, username: str | None = None):
    user = UserFactory(username=username or name)
    user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@dataclass
class World:
    session: Session
    lead: Agency
    co: Agency
    liaison: object
    office: object
    lead_officer: object
    lead_approver: object
    co_officer: object
    co_approver: object

    @classmethod
    def build(cls) -> World:
        lead = AgencyFactory(code="lead", name="测试市工商业联合会", short_name="市工商联",
                             title_name="测试市工商联", doc_prefix="测工商联函")
        co = AgencyFactory(code="co", name="测试市民政局", short_name="市民政局",
                           title_name="测试市民政局", doc_prefix="测民函")
        return cls(
            session=SessionFactory(),
            lead=lead,
            co=co,
            liaison=user_in_group(LIAISON_GROUP),
            office=user_in_group(OFFICE_GROUP),
            lead_officer=user_in(lead, "officer"),
            lead_approver=user_in(lead, "approver"),
            co_officer=user_in(co, "officer"),
            co_approver=user_in(co, "approver"),
        )

    # ---- walking a proposal along the flow, each step through the real services

    def proposal(self, *, recommendations: int = 2, number: str | None = None, **kwargs) -> Proposal:
        return proposal_services.proposal_create(
            session=self.session,
            title=kwargs.pop("title", "关于充分发挥行业协会作用的建议"),
            number=number,
            proposers=kwargs.pop("proposers", [{"name": "民建测试市委会", "kind": "party"}]),
            recommendations=[
                {"title": f"第{i}条建议的标题", "body": f"第{i}条建议的内容。"}
                for i in range(1, recommendations + 1)
            ],
            actor=self.liaison,
            **kwargs,
        )

    def assigned(self, **kwargs) -> Proposal:
        proposal = self.proposal(**kwargs)
        proposal_services.proposal_register(proposal=proposal, actor=self.liaison)
        day = datetime.date(2023, 3, 1)
        proposal_services.proposal_assign(
            proposal=proposal,
            actor=self.liaison,
            assignments=[
                {"agency": self.lead, "role": "lead", "assigned_on": day,
                 "due_on": datetime.date(2023, 6, 1)},
                {"agency": self.co, "role": "co", "assigned_on": day,
                 "due_on": datetime.date(2023, 4, 1)},
            ],
        )
        proposal.refresh_from_db()
        return proposal

    def approved_section(self, recommendation, agency, adoption="adopted", body="已办理。"):
        officer, approver = (
            (self.lead_officer, self.lead_approver) if agency == self.lead
            else (self.co_officer, self.co_approver)
        )
        section = reply_services.section_create(
            recommendation=recommendation, agency=agency, actor=officer,
            adoption=AdoptionStatus.objects.get(code=adoption), body=body, commitment=commitment_for(adoption),
        )
        reply_services.section_submit(section=section, actor=officer)
        return reply_services.section_approve(section=section, actor=approver)

    def ready_letter(self, proposal: Proposal | None = None, adoption="adopted"):
        """A proposal with every recommendation answered and approved, and its draft letter."""
        proposal = proposal or self.assigned()
        for recommendation in proposal.recommendations.all():
            self.approved_section(recommendation, self.lead, adoption)
        letter = reply_services.letter_create(proposal=proposal, agency=self.lead, actor=self.lead_officer)
        return proposal, letter

    def signed_letter(self, proposal: Proposal | None = None, signed_on=None):
        proposal, letter = self.ready_letter(proposal)
        reply_services.letter_submit(letter=letter, actor=self.lead_officer)
        letter = reply_services.letter_sign(
            letter=letter, actor=self.lead_approver, signed_on=signed_on or datetime.date(2023, 7, 7)
        )
        proposal.refresh_from_db()
        return proposal, letter


# ---- reaching every workflow state through the real services


def record_feedback(world: World, proposal: Proposal, *, satisfied: bool = True):
    """The proposer's view of an answered proposal: 满意 on both counts, or 不满意 on the result."""
    return proposal_services.feedback_record(
        proposal=proposal,
        handling="satisfied",
        result="satisfied" if satisfied else "dissatisfied",
        received_on=datetime.date(2023, 8, 1),
        actor=world.liaison,
    )


def proposal_in_state(world: World, state: str) -> Proposal:
    """A proposal brought to ``state`` (a ``Proposal.State`` value) by the services."""
    liaison = world.liaison
    if state == Proposal.State.SUBMITTED:
        return world.proposal()
    if state == Proposal.State.REGISTERED:
        proposal = world.proposal()
        proposal_services.proposal_register(proposal=proposal, actor=liaison)
    elif state == Proposal.State.CONVERTED:
        proposal = world.proposal()
        proposal_services.proposal_convert(proposal=proposal, actor=liaison, reason="属于工作建议")
    elif state == Proposal.State.WITHDRAWN:
        proposal = world.proposal()
        proposal_services.proposal_withdraw(proposal=proposal, actor=liaison, reason="提案者申请撤回")
    elif state == Proposal.State.ASSIGNED:
        proposal = world.assigned()
    elif state == Proposal.State.REPLIED:
        proposal, _letter = world.signed_letter()
    elif state == Proposal.State.REOPENED:
        proposal, _letter = world.signed_letter()
        record_feedback(world, proposal, satisfied=False)
        proposal_services.proposal_reopen(proposal=proposal, actor=liaison)
    elif state == Proposal.State.CLOSED:
        proposal, _letter = world.signed_letter()
        record_feedback(world, proposal, satisfied=True)
        proposal_services.proposal_close(proposal=proposal, actor=liaison)
    elif state == Proposal.State.MERGED:
        proposal = world.proposal()
        proposal_services.proposal_merge(proposal=proposal, into=world.proposal(), actor=liaison)
    else:
        raise ValueError(state)
    proposal.refresh_from_db()
    return proposal


def section_in_state(world: World, state: str):
    """A lead-agency section of an assigned proposal, brought to ``state`` by the services."""
    proposal = world.assigned()
    section = reply_services.section_create(
        recommendation=proposal.recommendations.get(ordinal=1), agency=world.lead,
        actor=world.lead_officer, adoption="adopted", body="已办理。",
    )
    if state in ("submitted", "approved"):
        reply_services.section_submit(section=section, actor=world.lead_officer)
    if state == "approved":
        reply_services.section_approve(section=section, actor=world.lead_approver)
    section.refresh_from_db()
    assert section.state == state
    return section


def letter_in_state(world: World, state: str):
    """The lead agency's letter for an assigned proposal, brought to ``state`` by the services."""
    _proposal, letter = world.ready_letter()
    if state != "draft":
        reply_services.letter_submit(letter=letter, actor=world.lead_officer)
    if state in ("signed", "issued", "voided"):
        reply_services.letter_sign(
            letter=letter, actor=world.lead_approver, signed_on=datetime.date(2023, 7, 7)
        )
    if state == "issued":
        reply_services.letter_issue(
            letter=letter, actor=world.office, issued_on=datetime.date(2023, 7, 8)
        )
    if state == "voided":
        reply_services.letter_void(letter=letter, actor=world.lead_approver, reason="文字有误")
    letter.refresh_from_db()
    assert letter.state == state
    return letter


def history_of(obj):
    """The history rows about ``obj`` (a proposal, assignment, section, letter or feedback), oldest first."""
    from django.contrib.contenttypes.models import ContentType


    return StateChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).order_by("id")


# ---- more of the world: the administrator, an agency's own proposal, sections, print jobs


def superuser(username: str = "admin"):
    """A superuser: does what liaison and office staff do, and may act for any agency."""
    return UserFactory(username=username, is_superuser=True, is_staff=True)


def proposal_for(world: World, agency: Agency, *, role: str = "lead", **kwargs) -> Proposal:
    """A proposal registered and assigned to ``agency`` alone."""
    proposal = world.proposal(**kwargs)
    proposal_services.proposal_register(proposal=proposal, actor=world.liaison)
    proposal_services.proposal_assign(
        proposal=proposal,
        actor=world.liaison,
        assignments=[{"agency": agency, "role": role, "assigned_on": datetime.date(2023, 3, 1),
                      "due_on": datetime.date(2023, 6, 1)}],
    )
    proposal.refresh_from_db()
    return proposal


def commitment_for(adoption: str):
    """What a section answered 正在落实 or 列入计划 promises, for the tests that need one."""
    if adoption in ("in_progress", "planned"):
        return ("按答复内容推进落实。", datetime.date(2023, 12, 31))
    return None


def section_by(recommendation, agency: Agency, state: str = "draft", *, officer, approver=None,
               body: str = "已办理。", adoption: str = "adopted"):
    """``agency``'s section on ``recommendation``, written by ``officer``, brought to ``state``."""
    section = reply_services.section_create(
        recommendation=recommendation, agency=agency, actor=officer, adoption=adoption, body=body,
        commitment=commitment_for(adoption),
    )
    if state in ("submitted", "approved"):
        reply_services.section_submit(section=section, actor=officer)
    if state == "approved":
        reply_services.section_approve(section=section, actor=approver)
    section.refresh_from_db()
    assert section.state == state
    return section


def finished_print_job(world: World, *, requested_by=None, content: bytes = b"%PDF-1.4\n%%EOF\n"):
    """A batch printing job of the session that has finished, with its file stored."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from replies.models import PrintJob

    job = PrintJob.objects.create(
        session=world.session, state=PrintJob.State.DONE, total=1, done=1,
        requested_by=requested_by or world.office, finished_at=timezone.now(),
    )
    job.file.save(f"print-job-{job.pk}.pdf", ContentFile(content), save=True)
    return job
