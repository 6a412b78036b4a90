"""Demo data: a session, five agencies, their staff, and proposals in every state.

The centrepiece is proposal 132020 by 民建中山市委会 and 中山市工商联's reply
中工商联函〔2023〕11号 (class A, six parts, part three answered by two agencies).
Around it a dozen other proposals sit in each state of the flow, and the office
has printed the session's signed letters as one batch. The letters' PDFs and the
batch file are built by tasks once the load commits (inline when no broker is set).

Every workflow step goes through the services with the demo user who would take
it in real life, so each proposal's history shows who did what. Loading is
idempotent: records are found by their natural keys (session code, agency code,
username, a proposal's session and title) and a proposal that already exists is
left as it is, so a second run creates and changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agencies.demo_certificates import make_demo_certificates
from agencies.models import Agency, Membership
from core.actions import action
from core.roles import LIAISON_GROUP, OFFICE_GROUP
from proposals import contacts
from proposals import services as proposal_services
from proposals.models import Category, Proposal, Session
from replies import printing
from replies import services as reply_services
from replies.models import PrintJob
from replies.numbering import DocumentNumber, note_document_number

from .dates import D, dated
from .seal import draw_seal
from .stories import Stories

PASSWORD = "demo-pass-2023"


SESSION = {
    "code": "13-2",
    "committee": "政协中山市委员会",
    "term": 13,
    "meeting": 2,
    "year": 2023,
    "name": "市政协十三届二次会议",
}

AGENCIES = [
    {
        "code": "gsl",
        "name": "中山市工商业联合会",
        "short_name": "市工商联",
        "title_name": "中山市工商联",
        "letterhead": "中山市工商联(总商会)文件",
        "doc_prefix": "中工商联函",
        "letter_style": Agency.LetterStyle.DOCUMENT,
        "contact": "何少荣，18824982023，88223809",
    },
    {
        "code": "mzj",
        "name": "中山市民政局",
        "short_name": "市民政局",
        "title_name": "中山市民政局",
        "letterhead": "中山市民政局文件",
        "doc_prefix": "中民函",
        "letter_style": Agency.LetterStyle.DOCUMENT,
        "contact": "梁颖诗，0760-88316215",
    },
    {
        "code": "gxj",
        "name": "中山市工业和信息化局",
        "short_name": "市工信局",
        "title_name": "中山市工业和信息化局",
        "letterhead": "中山市工业和信息化局文件",
        "doc_prefix": "中工信函",
        "letter_style": Agency.LetterStyle.DOCUMENT,
        "contact": "陈志豪，0760-88322618",
    },
    {
        "code": "fgj",
        "name": "中山市发展和改革局",
        "short_name": "市发改局",
        "title_name": "中山市发展和改革局",
        "letterhead": "中山市发展和改革局文件",
        "doc_prefix": "中发改函",
        "letter_style": Agency.LetterStyle.DOCUMENT,
        "contact": "黄晓琳，0760-88326037",
    },
    {
        "code": "tcj",
        "name": "中山市投资促进局",
        "short_name": "市投促局",
        "title_name": "中山市投资促进局",
        # 信函格式: the header mark is the agency's name without 文件.
        "letterhead": "中山市投资促进局",
        "doc_prefix": "中投促函",
        "letter_style": Agency.LetterStyle.LETTER,
        "contact": "林嘉俊，0760-89892316",
    },
]

# Display names of the agency staff: (officer, approver).
AGENCY_STAFF = {
    "gsl": ("何少荣", "郑建华"),
    "mzj": ("梁颖诗", "周国强"),
    "gxj": ("陈志豪", "吴伟东"),
    "fgj": ("黄晓琳", "刘振宇"),
    "tcj": ("林嘉俊", "谭美玲"),
}


# Proposer accounts: (username, proposer, kind, sector, mobile, role shown by bin/run).
PROPOSER_ACCOUNTS = [
    ("member1", "郑国华", "member", "经济界", "13800138001", "委员（提案者）"),
    ("member2", "区慧琴", "member", "工商联界", "13800138002", "委员（提案者）"),
    ("minjian", "民进中山市委会", "party", "中国民主促进会", "13800138003", "民进市委会（提案者）"),
]


@dataclass
class DemoUser:
    username: str
    role: str
    password: str = PASSWORD


@dataclass
class DemoReport:
    """What a load did: the records it created, and the demo users to sign in with."""

    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    users: list[DemoUser] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Loader(Stories):
    def __init__(self, report: DemoReport):
        self.report = report
        self.agencies: dict[str, Agency] = {}
        self.officers: dict[str, object] = {}
        self.approvers: dict[str, object] = {}

    # ------------------------------------------------------------ reference data

    def session(self) -> Session:
        session, created = Session.objects.get_or_create(
            code=SESSION["code"],
            defaults={**{k: v for k, v in SESSION.items() if k != "code"},
                      "year": D(SESSION["year"], 1, 10).year,  # the year its proposals came in
                      # open for online submission the whole story year, so that the demo's
                      # members can submit this week
                      "submission_opens_on": D(2023, 1, 2), "submission_closes_on": D(2023, 12, 29)},
        )
        if created:
            self.report.created.append(f"届次会议 {session.name}")
        self.session_obj = session
        return session

    def load_agencies(self) -> None:
        for data in AGENCIES:
            agency, created = Agency.objects.get_or_create(
                code=data["code"], defaults={k: v for k, v in data.items() if k != "code"}
            )
            if created:
                self.report.created.append(f"承办单位 {agency.name}")
                # A drawn stand-in for the agency's seal, so signed letters print sealed.
                agency.seal.save(f"{agency.code}.png", ContentFile(draw_seal(agency.name)), save=True)
            self.agencies[agency.code] = agency
        # Certificates from the demo CA, so that the demo's signed letters are signed digitally.
        for certificate in make_demo_certificates(Agency.objects.filter(code__in=self.agencies)):
            self.report.created.append(f"签名证书 {certificate.agency.name}")

    def user(self, username: str, role: str, *, display_name: str = "", superuser: bool = False):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": display_name, "is_staff": True, "is_superuser": superuser,
                      "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            self.report.created.append(f"用户 {username}")
        self.report.users.append(DemoUser(username, role))
        return user

    def load_users(self) -> None:
        self.admin = self.user("admin", "系统管理员", display_name="系统管理员", superuser=True)
        self.liaison = self.user("liaison", "提案委工作人员", display_name="陈静怡")
        self.liaison.groups.add(Group.objects.get_or_create(name=LIAISON_GROUP)[0])
        self.office = self.user("office", "办公室（印制）", display_name="莫慧敏")
        self.office.groups.add(Group.objects.get_or_create(name=OFFICE_GROUP)[0])
        for code, agency in self.agencies.items():
            officer_name, approver_name = AGENCY_STAFF[code]
            for role, name, store in (
                (Membership.Role.OFFICER, officer_name, self.officers),
                (Membership.Role.APPROVER, approver_name, self.approvers),
            ):
                label = f"{agency.short_name}{Membership.Role(role).label}"
                user = self.user(f"{code}-{role}", label, display_name=name)
                Membership.objects.get_or_create(user=user, agency=agency, role=role)
                store[code] = user

    def load_proposer_accounts(self) -> None:
        """Proposers who sign in: two members of the investment-platform proposal (its lead
        and a co-signer) and a party committee, each with a mobile for SMS."""
        from members.models import ProposerAccount
        from members.services import account_create

        for username, name, kind, sector, mobile, role in PROPOSER_ACCOUNTS:
            if not ProposerAccount.objects.filter(user__username=username).exists():
                account_create(username=username, name=name, kind=kind, sector=sector, mobile=mobile,
                               email=f"{username}@example.org", password=PASSWORD,
                               display_name="" if kind == "member" else "周小敏")
                self.report.created.append(f"提案者账号 {username}")
            self.report.users.append(DemoUser(username, role))

    def online_draft(self) -> None:
        """member1 is writing a proposal online: a draft with a survey attached, member2
        invited to co-sign and not yet answered."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from members import services as members
        from members.models import OnlineProposal
        from proposals.models import Proposer

        from .materials import survey_pdf

        lead = Proposer.objects.get(name="郑国华", kind="member")
        if OnlineProposal.objects.filter(lead=lead).exists():
            return
        member1 = get_user_model().objects.get(username="member1")
        online = members.online_save(
            proposer=lead, session=self.session_obj, actor=member1,
            title="关于推进社区嵌入式养老服务设施建设的建议",
            body="我市老龄人口持续增加，社区养老服务设施布局不均，老年人就近养老需求难以满足。",
            recommendations=members.recommendations_from(
                "一、将嵌入式养老设施纳入社区配套建设标准\n新建小区按标准同步配建。\n"
                "二、盘活社区闲置用房建设养老服务站点\n三、引导专业机构连锁运营社区养老设施"),
            cosign_deadline=D(2023, 7, 24),  # two weeks on: open whatever day the demo is tried
        )
        members.attachment_add(online=online, proposer=lead, actor=member1, upload=SimpleUploadedFile(
            "社区养老设施调查.pdf", survey_pdf(), content_type="application/pdf"))
        members.invitation_add(online=online, proposer=lead, name="区慧琴", actor=member1)
        self.report.created.append(f"网上提案草稿 {online.title}")

    # ------------------------------------------------------------ workflow steps

    def proposal(
        self, *, title: str, proposers: list[dict], recommendations: list[str], category: str,
        submitted_on: datetime.date, body: str = "", number: str | None = None,
        is_key: bool = False,
    ) -> Proposal | None:
        """Log a proposal, or return None when it is already there (found by session and title)."""
        existing = Proposal.objects.filter(session=self.session_obj, title=title).first()
        if existing is not None:
            self.report.skipped.append(f"第{existing.number}号提案 {title}")
            return None
        proposal = proposal_services.proposal_create(
            session=self.session_obj,
            title=title,
            number=number,
            proposers=proposers,
            category=Category.objects.get_or_create(name=category)[0],
            body=body,
            submitted_on=submitted_on,
            is_key=is_key,
            recommendations=[{"title": t} for t in recommendations],
            actor=self.liaison,
        )
        self.report.created.append(f"第{proposal.number}号提案 {title}")
        return proposal

    def assign(self, proposal: Proposal, *, on: datetime.date, lead: str | None = None,
               co: tuple[str, ...] = (), separate: tuple[str, ...] = (),
               lead_days: int = 92, co_days: int = 31) -> None:
        """交办: the lead within about three months, co-handlers within about one."""
        items = []
        if lead:
            items.append(self._assignment(lead, "lead", on, on + datetime.timedelta(days=lead_days)))
        items += [self._assignment(c, "co", on, on + datetime.timedelta(days=co_days)) for c in co]
        items += [
            self._assignment(s, "separate", on, on + datetime.timedelta(days=lead_days))
            for s in separate
        ]
        proposal_services.proposal_register(proposal=proposal, actor=self.liaison)
        proposal_services.proposal_assign(proposal=proposal, assignments=items, actor=self.liaison)

    def _assignment(self, code, role, assigned_on, due_on) -> dict:
        return {"agency": self.agencies[code], "role": role, "assigned_on": assigned_on,
                "due_on": due_on}

    def section(self, proposal: Proposal, ordinal: int, code: str, body: str, *,
                adoption: str = "adopted", upto: str = "approved", reason: str = "", commitment=None):
        """An agency's section, taken as far as ``upto``: draft, submitted, returned or approved.
        正在落实 and 列入计划 carry ``commitment`` (what, due_on), by default the text by year's end."""
        officer, approver = self.officers[code], self.approvers[code]
        if commitment is None and adoption in ("in_progress", "planned"):
            commitment = (body, D(2023, 12, 31))
        section = reply_services.section_create(
            recommendation=proposal.recommendations.get(ordinal=ordinal),
            agency=self.agencies[code], adoption=adoption, body=body, actor=officer, commitment=commitment,
        )
        if upto == "draft":
            return section
        section = reply_services.section_submit(section=section, actor=officer)
        if upto == "submitted":
            return section
        if upto == "returned":
            return reply_services.section_return(section=section, actor=approver, reason=reason)
        return reply_services.section_approve(section=section, actor=approver)

    def letter(self, proposal: Proposal, code: str, *, upto: str, signed_on=None, issued_on=None,
               **fields):
        """The agency's letter, taken as far as ``upto``: draft, in_review, signed or issued."""
        officer, approver = self.officers[code], self.approvers[code]
        letter = reply_services.letter_create(proposal=proposal, agency=self.agencies[code],
                                              actor=officer)
        if fields:
            letter = reply_services.letter_update(letter=letter, actor=officer, **fields)
        if upto == "draft":
            return letter
        letter = reply_services.letter_submit(letter=letter, actor=officer)
        if upto == "in_review":
            return letter
        letter = reply_services.letter_sign(letter=letter, actor=approver, signed_on=signed_on)
        self.report.created.append(f"答复函 {letter.number}")
        if upto == "signed":
            return letter
        return reply_services.letter_issue(letter=letter, actor=self.office, issued_on=issued_on)

    def feedback(self, proposal: Proposal, *, handling: str, result: str, received_on,
                 comment: str = ""):
        return proposal_services.feedback_record(
            proposal=proposal, handling=handling, result=result, received_on=received_on,
            comment=comment, actor=self.liaison,
        )

    # ------------------------------------------------------------ the proposals

    def example_letter(self) -> None:
        """Proposal 132020 and 中山市工商联's reply 中工商联函〔2023〕11号."""
        with transaction.atomic():
            self._example_letter()

    def _example_letter(self) -> None:
        proposal = self.proposal(
            number="132020",
            title="关于充分发挥行业协会作用，为中山经济高质量发展贡献力量的建议",
            proposers=[{"name": "民建中山市委会", "kind": "party"}],
            category="经济建设", submitted_on=D(2023, 1, 10),
            body="行业协会在政企沟通、招商引资和行业自律方面作用明显，但仍存在职能定位不清、"
                 "发声渠道不多等问题，建议进一步发挥其作用。",
            recommendations=[
                "做优做强行业协会，促进其“强筋健体”",
                "充分发挥行业协会在维护产业链供应链韧性上的作用，鼓励行业协会牵头起草产业规划、产业政策",
                "增强行业协会对行业的监测分析针对性，适当运用财政资金鼓励一些行业协会对行业进行一些实时监测，"
                "运用数据向有关部门建言献策",
                "适当加大政府购买公共服务力度，敢于担当，鼓励按规定向行业协会购买行业管理等公共服务项目",
                "加强对行业协会规范发展的指导，打造品牌行业协会",
                "提高政治参与度，探索创新参与社会治理",
            ],
        )
        if not proposal:
            return
        day = D(2023, 3, 1)
        proposal_services.proposal_register(proposal=proposal, actor=self.liaison)
        proposal_services.proposal_assign(
            proposal=proposal, actor=self.liaison,
            assignments=[
                self._assignment("gsl", "lead", day, D(2023, 6, 1)),
                *(self._assignment(code, "co", day, D(2023, 4, 1))
                  for code in ("mzj", "gxj", "fgj", "tcj")),
            ],
        )
        # The co-handlers answer first, then the lead; part three has two sections.
        self.section(proposal, 1, "mzj", "市民政局将进一步完善行业协会商会综合监管机制，"
                     "在制定涉及行业发展的政策前主动听取行业协会意见。")
        self.section(proposal, 3, "gxj", "市工业和信息化局将支持重点行业协会开展运行监测分析，"
                     "对监测成效突出的行业协会给予适当资金支持，监测数据作为政策制定的参考。")
        self.section(proposal, 4, "tcj", "市投资促进局将与行业协会建立招商合作机制，"
                     "按规定向具备条件的行业协会购买产业研究、项目引荐等服务。")
        self.section(proposal, 5, "mzj", "市民政局将持续开展社会组织等级评估，"
                     "把评估结果与购买服务、扶持资金挂钩，培育一批品牌行业协会。")
        self.section(proposal, 2, "gsl", "市工商联将引导行业协会围绕重点产业链开展服务，"
                     "支持有条件的行业协会参与起草产业规划和行业标准。")
        self.section(proposal, 3, "gsl", "市工商联将会同市发展和改革局定期走访行业协会，"
                     "及时收集行业动态和企业诉求，并把调研成果转化为政策建议。")
        self.section(proposal, 6, "gsl", "市工商联将组织行业协会代表人士参加协商座谈和专题调研，"
                     "支持他们通过提案和界别发言反映行业诉求。")

        officer, approver = self.officers["gsl"], self.approvers["gsl"]
        letter = reply_services.letter_create(proposal=proposal, agency=self.agencies["gsl"],
                                              actor=officer)
        letter = reply_services.letter_update(
            letter=letter, actor=officer,
            addressee="民建中山市委会",
            opening=(
                "你们提出的《关于充分发挥行业协会作用，为中山经济高质量发展贡献力量的建议》"
                "（提案第132020号）收悉，经综合市民政局、市工业和信息化局、市发展和改革局、"
                "市投资促进局意见，现答复如下：\n"
                "首先，感谢你们对我市行业协会发展的关注和支持。提案所提建议针对性强，"
                "对发挥行业协会作用、推动我市经济高质量发展很有借鉴意义。"
            ),
            note="（联系人及电话：何少荣，18824982023，88223809）",
            disclosure="主动公开",
            cc=["市政协提案委", "市政府办公室", "市民政局", "市工信局", "市发改局", "市投促局"],
        )
        if letter.klass != "A":
            letter = reply_services.letter_set_class(letter=letter, klass="A", actor=officer)
        contacts.contact_record(
            proposal=proposal, agency=self.agencies["gsl"], contacted_on=D(2023, 6, 16), way="meeting",
            participants="民建中山市委会副主委；市工商联副主席、会员部部长", actor=officer,
            note="当面听取提案者对发挥行业协会作用的意见，介绍了拟采取的措施，提案者表示认可。",
        )
        letter = reply_services.letter_submit(letter=letter, actor=officer)
        # 市工商联 had already issued ten letters under 中工商联函 in 2023 before this
        # reply, so its counter stands at 10 and this letter takes serial 11.
        signed_on = D(2023, 7, 7)
        note_document_number(DocumentNumber("中工商联函", signed_on.year, 10))
        letter = reply_services.letter_sign(letter=letter, actor=approver, signed_on=signed_on)
        if letter.number != f"中工商联函〔{signed_on.year}〕11号":
            self.report.warnings.append(
                f"示例答复函的发文字号为 {letter.number}（本年度该前缀此前已有更多发文）。"
            )
        self.report.created.append(f"答复函 {letter.number}")
        reply_services.letter_issue(letter=letter, actor=self.office, issued_on=D(2023, 7, 7))

    # ------------------------------------------------------------ the office's batch

    def print_batch(self) -> None:
        """The office prints the session's signed letters as one PDF.

        Like each signed letter's PDF, the file is built once the load commits.
        """
        if PrintJob.objects.filter(session=self.session_obj).exists():
            return
        job = printing.print_job_create(
            session=self.session_obj, format=PrintJob.Format.PDF, seal=True, actor=self.office,
        )
        self.report.created.append(f"批量打印任务 {self.session_obj.name}（{job.total}份答复函）")


@action
def load_demo(as_of: datetime.date | None = None) -> DemoReport:
    """Load the demo data; a second run finds everything in place and changes nothing.

    The story is dated in the week of ``as_of`` (today by default; see :mod:`demo.dates`).
    One action: the services it calls join it, and the answer facts and search entries
    of everything it touched are brought up to date once, at its end."""
    with dated(as_of or timezone.localdate()):
        return _load()


def _load() -> DemoReport:
    report = DemoReport()
    loader = _Loader(report)
    loader.session()
    loader.load_agencies()
    loader.load_users()
    loader.load_proposer_accounts()
    loader.other_proposals()
    loader.online_draft()
    loader.example_letter()
    loader.print_batch()
    return report
