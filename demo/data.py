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

from agencies.models import Agency, Membership
from core.actions import action
from core.roles import LIAISON_GROUP, OFFICE_GROUP
from proposals import extensions
from proposals import services as proposal_services
from proposals.models import Category, Proposal, Session
from replies import printing
from replies import services as reply_services
from replies.models import PrintJob
from replies.numbering import DocumentNumber, note_document_number

from .seal import draw_seal

PASSWORD = "demo-pass-2023"

D = datetime.date

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


class _Loader:
    def __init__(self, report: DemoReport):
        self.report = report
        self.agencies: dict[str, Agency] = {}
        self.officers: dict[str, object] = {}
        self.approvers: dict[str, object] = {}

    # ------------------------------------------------------------ reference data

    def session(self) -> Session:
        session, created = Session.objects.get_or_create(
            code=SESSION["code"], defaults={k: v for k, v in SESSION.items() if k != "code"}
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
                adoption: str = "adopted", upto: str = "approved", reason: str = ""):
        """An agency's section, taken as far as ``upto``: draft, submitted, returned or approved."""
        officer, approver = self.officers[code], self.approvers[code]
        section = reply_services.section_create(
            recommendation=proposal.recommendations.get(ordinal=ordinal),
            agency=self.agencies[code], adoption=adoption, body=body, actor=officer,
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

    def other_proposals(self) -> None:
        for build in (
            self.submitted_lift,
            self.submitted_bicycles,
            self.registered_mental_health,
            self.converted_dragon_boat,
            self.withdrawn_bus_routes,
            self.assigned_sections_in_progress,
            self.assigned_draft_letter,
            self.assigned_letter_in_review,
            self.replied_investment_platform,
            self.closed_social_organisations,
            self.reopened_power_costs,
            self.key_shenzhong_corridor,
            self.separate_prepared_food,
            self.merged_lift_repeat,
        ):
            with transaction.atomic():
                build()

    def submitted_lift(self):
        self.proposal(
            title="关于加快推进老旧小区加装电梯工作的建议",
            proposers=[{"name": "梁嘉欣", "kind": "member"},
                       {"name": "陈伟明", "kind": "member", "role": "co-signer"}],
            category="社会建设", submitted_on=D(2023, 1, 9),
            body="我市不少老旧小区住着大量老年人，上下楼困难，加装电梯的需求十分迫切。",
            recommendations=["简化老旧小区加装电梯审批流程", "加大加装电梯财政补贴力度",
                             "建立加装电梯业主协商调解机制"],
        )

    def merged_lift_repeat(self):
        """A repeat of the lift proposal, merged into it (并案)."""
        proposal = self.proposal(
            title="关于推进老旧小区加装电梯的建议",
            proposers=[{"name": "何丽芳", "kind": "member"}],
            category="社会建设", submitted_on=D(2023, 1, 13),
            body="老旧小区加装电梯审批环节多、补贴不足，业主协商难，建议简化审批、加大补贴。",
            recommendations=["简化老旧小区加装电梯审批", "提高加装电梯财政补贴标准"],
        )
        lift = Proposal.objects.filter(
            session=self.session_obj, title="关于加快推进老旧小区加装电梯工作的建议"
        ).first()
        if proposal and lift:
            proposal_services.proposal_merge(
                proposal=proposal, into=lift, actor=self.liaison,
                reason="与加装电梯提案所提问题相同，并案办理。",
            )

    def submitted_bicycles(self):
        self.proposal(
            title="关于优化城市公共自行车站点布局的建议",
            proposers=[{"name": "九三学社中山市委会", "kind": "party"}],
            category="生态文明建设", submitted_on=D(2023, 1, 10),
            recommendations=["按客流数据调整公共自行车站点", "推动公共自行车与公交站点接驳"],
        )

    def registered_mental_health(self):
        proposal = self.proposal(
            title="关于加强中小学生心理健康教育的建议",
            proposers=[{"name": "民进中山市委会", "kind": "party"}],
            category="社会建设", submitted_on=D(2023, 1, 10),
            recommendations=["配齐配强中小学专职心理教师", "建立学生心理健康监测预警机制",
                             "推动家校社协同开展心理健康教育"],
        )
        if proposal:
            proposal_services.proposal_register(proposal=proposal, actor=self.liaison)

    def converted_dragon_boat(self):
        proposal = self.proposal(
            title="关于在岐江河举办龙舟邀请赛的建议",
            proposers=[{"name": "黄志坚", "kind": "member"}],
            category="文化建设", submitted_on=D(2023, 1, 11),
            recommendations=["每年端午期间在岐江河举办龙舟邀请赛"],
        )
        if proposal:
            proposal_services.proposal_convert(
                proposal=proposal, actor=self.liaison,
                reason="所提事项属具体活动安排，转为意见建议，送有关部门研究参考。",
            )

    def withdrawn_bus_routes(self):
        proposal = self.proposal(
            title="关于调整火炬开发区部分公交线路的建议",
            proposers=[{"name": "吴晓东", "kind": "member"}],
            category="社会建设", submitted_on=D(2023, 1, 11),
            recommendations=["增开火炬开发区至石岐城区的早晚高峰公交线路"],
        )
        if proposal:
            proposal_services.proposal_withdraw(
                proposal=proposal, actor=self.liaison,
                reason="提案者来函申请撤回：所提问题会前已与公交企业协调解决。",
            )

    def assigned_sections_in_progress(self):
        """Sections in draft, waiting for the approver, and returned with a reason."""
        proposal = self.proposal(
            title="关于推动传统制造业数字化智能化转型的建议",
            proposers=[{"name": "市政协经济委员会", "kind": "committee"}],
            category="经济建设", submitted_on=D(2023, 1, 12),
            recommendations=["设立制造业数字化转型专项扶持资金", "培育本地工业互联网服务商",
                             "建立转型成效评估和数据统计制度"],
        )
        if not proposal:
            return
        self.assign(proposal, on=D(2023, 3, 1), lead="gxj", co=("fgj",))
        self.section(proposal, 1, "gxj", "市工信局正在研究制定制造业数字化转型扶持办法，拟对企业上云用数、智能化改造给予分档补助。",
                     upto="draft")
        self.section(proposal, 2, "gxj", "市工信局将通过项目遴选和示范推广，培育一批扎根本地的工业互联网服务商。",
                     adoption="planned", upto="submitted")
        self.section(proposal, 3, "fgj", "市发改局将会同统计部门研究建立转型成效评估指标。",
                     adoption="in_progress", upto="returned",
                     reason="请补充2023年上半年的统计数据和评估指标的具体内容后再报。")
        # 延期申请: the lead agency asked for more time and the liaison staff agreed.
        lead = proposal.assignments.get(agency=self.agencies["gxj"])
        request = extensions.extension_request(
            assignment=lead, due_on=D(2023, 7, 31), actor=self.officers["gxj"],
            reason="扶持办法需经市政府常务会议审议，预计7月中旬印发，请求延期至7月31日答复。",
        )
        extensions.extension_approve(request=request, actor=self.liaison, note="同意延期。")

    def assigned_draft_letter(self):
        proposal = self.proposal(
            title="关于完善社区居家养老服务体系的建议",
            proposers=[{"name": "农工党中山市委会", "kind": "party"}],
            category="社会建设", submitted_on=D(2023, 1, 12),
            recommendations=["扩大社区长者饭堂覆盖面", "推广家庭养老床位服务"],
        )
        if not proposal:
            return
        self.assign(proposal, on=D(2023, 3, 1), lead="mzj")
        self.section(proposal, 1, "mzj", "市民政局计划年内新增长者饭堂二十个，并推动村（社区）助餐点全覆盖。",
                     adoption="planned")
        self.section(proposal, 2, "mzj", "市民政局已在三个镇街试点家庭养老床位，今年起逐步在全市推广。",
                     adoption="in_progress")
        self.letter(proposal, "mzj", upto="draft")

    def assigned_letter_in_review(self):
        proposal = self.proposal(
            title="关于支持企业引进高层次人才的建议",
            proposers=[{"name": "经济界别", "kind": "group"}],
            category="经济建设", submitted_on=D(2023, 1, 13),
            recommendations=["为重点企业引进人才提供住房保障", "建立产业人才需求目录"],
        )
        if not proposal:
            return
        self.assign(proposal, on=D(2023, 3, 3), lead="tcj", co=("gxj",))
        self.section(proposal, 1, "tcj", "市投促局将把人才住房需求纳入重大招商项目服务清单，协调落实人才公寓。")
        self.section(proposal, 2, "gxj", "市工信局已联合行业协会开展企业人才需求调查，年内发布产业人才需求目录。")
        self.letter(proposal, "tcj", upto="in_review")

    def replied_investment_platform(self):
        proposal = self.proposal(
            title="关于打造湾区特色产业招商平台的建议",
            proposers=[{"name": "郑国华", "kind": "member"},
                       {"name": "区慧琴", "kind": "member", "role": "co-signer"},
                       {"name": "冯启明", "kind": "member", "role": "co-signer"}],
            category="经济建设", submitted_on=D(2023, 1, 13),
            recommendations=["在深圳、香港设立招商联络点", "建设线上产业招商地图"],
        )
        if not proposal:
            return
        self.assign(proposal, on=D(2023, 3, 1), lead="tcj")
        self.section(proposal, 1, "tcj", "市投促局已在深圳设立招商联络处，正在筹备香港联络点。")
        self.section(proposal, 2, "tcj", "市投促局上线了产业招商地图，集中展示各镇街的产业载体和政策。")
        self.letter(proposal, "tcj", upto="signed", signed_on=D(2023, 6, 20))

    def closed_social_organisations(self):
        proposal = self.proposal(
            title="关于规范社会组织年度报告工作的建议",
            proposers=[{"name": "致公党中山市委会", "kind": "party"}],
            category="社会建设", submitted_on=D(2023, 1, 14),
            recommendations=["简化社会组织年度报告填报内容", "加强年度报告结果运用"],
        )
        if not proposal:
            return
        self.assign(proposal, on=D(2023, 3, 1), lead="mzj")
        self.section(proposal, 1, "mzj", "市民政局已精简年度报告表格，填报项目减少约三分之一。")
        self.section(proposal, 2, "mzj", "市民政局将年度报告情况与等级评估、购买服务资格挂钩。")
        self.letter(proposal, "mzj", upto="issued", signed_on=D(2023, 5, 26),
                    issued_on=D(2023, 5, 29))
        self.feedback(proposal, handling="satisfied", result="satisfied",
                      received_on=D(2023, 6, 15), comment="答复具体，措施可行。")
        proposal_services.proposal_close(proposal=proposal, actor=self.liaison)

    def reopened_power_costs(self):
        proposal = self.proposal(
            title="关于降低中小企业用电成本的建议",
            proposers=[{"name": "冯丽娟", "kind": "member"},
                       {"name": "何振邦", "kind": "member", "role": "co-signer"}],
            category="经济建设", submitted_on=D(2023, 1, 14),
            recommendations=["推动中小企业参与电力市场化交易", "支持工业园区建设分布式光伏"],
        )
        if not proposal:
            return
        self.assign(proposal, on=D(2023, 3, 2), lead="fgj", co=("gxj",))
        self.section(proposal, 1, "fgj", "市发改局将继续宣传电力市场化交易政策，引导符合条件的企业入市。",
                     adoption="reference")
        self.section(proposal, 2, "gxj", "市工信局将把分布式光伏纳入园区改造升级的支持范围。",
                     adoption="reference")
        self.letter(proposal, "fgj", upto="issued", signed_on=D(2023, 6, 8), issued_on=D(2023, 6, 9))
        self.feedback(proposal, handling="satisfied", result="dissatisfied",
                      received_on=D(2023, 7, 3), comment="答复未提出降低用电成本的具体措施。")
        proposal_services.proposal_reopen(
            proposal=proposal, actor=self.liaison,
            reason="提案者对办理结果不满意，请主办单位重新办理，一个月内再次答复。",
        )

    def key_shenzhong_corridor(self):
        proposal = self.proposal(
            title="关于推进深中通道沿线产业协同发展的建议",
            proposers=[{"name": "民盟中山市委会", "kind": "party"}],
            category="经济建设", submitted_on=D(2023, 1, 15), is_key=True,
            body="深中通道通车在即，沿线镇街应提前谋划产业布局，承接深圳产业外溢。",
            recommendations=["编制深中通道沿线产业发展规划", "建立深中产业合作对接机制",
                             "完善沿线产业园区配套设施"],
        )
        if not proposal:
            return
        self.assign(proposal, on=D(2023, 3, 1), lead="fgj", co=("gxj", "tcj"))
        self.section(proposal, 2, "tcj", "市投促局已与深圳多个行业协会建立常态化对接机制，定期开展产业推介。")
        self.section(proposal, 3, "gxj", "市工信局将把沿线园区配套纳入工业园区改造提升计划。",
                     adoption="planned", upto="submitted")
        # A co-handler's request still waiting for the liaison staff.
        extensions.extension_request(
            assignment=proposal.assignments.get(agency=self.agencies["gxj"]), due_on=D(2023, 5, 15),
            actor=self.officers["gxj"], reason="园区改造提升计划尚在征求意见，请求延期半个月。",
        )

    def separate_prepared_food(self):
        """分办: two agencies each answer their own part with their own letter."""
        proposal = self.proposal(
            title="关于支持预制菜产业高质量发展的建议",
            proposers=[{"name": "林少华", "kind": "member"}],
            category="经济建设", submitted_on=D(2023, 1, 16),
            recommendations=["建设预制菜产业园", "引进预制菜龙头企业"],
        )
        if not proposal:
            return
        self.assign(proposal, on=D(2023, 3, 6), separate=("gxj", "tcj"))
        self.section(proposal, 1, "gxj", "市工信局正在规划建设预制菜产业园，配套冷链物流和检测中心。",
                     adoption="in_progress")
        self.letter(proposal, "gxj", upto="signed", signed_on=D(2023, 6, 1))
        self.section(proposal, 2, "tcj", "市投促局已把预制菜列入年度重点招商产业目录。", upto="draft")

    # ------------------------------------------------------------ the example letter

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
        letter = reply_services.letter_submit(letter=letter, actor=officer)
        # 市工商联 had already issued ten letters under 中工商联函 in 2023 before this
        # reply, so its counter stands at 10 and this letter takes serial 11.
        note_document_number(DocumentNumber("中工商联函", 2023, 10))
        letter = reply_services.letter_sign(letter=letter, actor=approver, signed_on=D(2023, 7, 7))
        if letter.number != "中工商联函〔2023〕11号":
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
def load_demo() -> DemoReport:
    """Load the demo data; a second run finds everything in place and changes nothing.

    One action: the services it calls join it, and the answer facts and search entries
    of everything it touched are brought up to date once, at its end."""
    report = DemoReport()
    loader = _Loader(report)
    loader.session()
    loader.load_agencies()
    loader.load_users()
    loader.other_proposals()
    loader.example_letter()
    loader.print_batch()
    return report
