"""The demo's proposals, one method each, every state of the flow told as a small story
through the services (see :func:`demo.data.load_demo`)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from followup import services as followup
from proposals import attachments, contacts, extensions, releases
from proposals import services as proposal_services
from proposals.models import Proposal
from replies import services as reply_services

from .dates import D
from .materials import drawn_map, survey_pdf


class Stories:
    """Mixed into the demo loader, whose helpers (proposal, assign, section, letter, feedback) they use."""

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
            self.released_charging_piles,
            self.release_pending_time_honoured,
        ):
            with transaction.atomic():
                build()

    def submitted_lift(self):
        proposal = self.proposal(
            title="关于加快推进老旧小区加装电梯工作的建议",
            proposers=[{"name": "梁嘉欣", "kind": "member"},
                       {"name": "陈伟明", "kind": "member", "role": "co-signer"}],
            category="社会建设", submitted_on=D(2023, 1, 9),
            body="我市不少老旧小区住着大量老年人，上下楼困难，加装电梯的需求十分迫切。",
            recommendations=["简化老旧小区加装电梯审批流程", "加大加装电梯财政补贴力度",
                             "建立加装电梯业主协商调解机制"],
        )
        if proposal:  # the member's survey, sent with the proposal
            attachments.attachment_add(proposal=proposal, actor=self.liaison, upload=SimpleUploadedFile(
                "老旧小区加装电梯需求调查.pdf", survey_pdf(), content_type="application/pdf"))

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
                     adoption="in_progress",
                     commitment=("6月底前将家庭养老床位服务推广到全市所有镇街。", D(2023, 6, 30)))
        contacts.contact_record(
            proposal=proposal, agency=self.agencies["mzj"], contacted_on=D(2023, 6, 28), way="phone",
            participants="农工党中山市委会社会服务部；市民政局养老服务科", actor=self.officers["mzj"],
            note="电话介绍长者饭堂和家庭养老床位的推进计划，提案者建议优先覆盖老旧社区。",
        )
        letter = self.letter(proposal, "mzj", upto="draft")
        reply_services.letter_attachment_add(
            letter=letter, title="全市长者饭堂分布示意图", actor=self.officers["mzj"],
            upload=SimpleUploadedFile("长者饭堂分布示意图.png", drawn_map(), content_type="image/png"),
        )

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
            assignment=proposal.assignments.get(agency=self.agencies["gxj"]), due_on=D(2023, 7, 31),
            actor=self.officers["gxj"], reason="园区改造提升计划尚在征求意见，预计7月下旬定稿，请求延期至7月31日。",
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
        section = self.section(proposal, 1, "gxj", "市工信局正在规划建设预制菜产业园，配套冷链物流和检测中心。",
                               adoption="in_progress",
                               commitment=("9月底前完成预制菜产业园一期建设，建成冷链物流和检测中心。", D(2023, 9, 30)))
        self.letter(proposal, "gxj", upto="signed", signed_on=D(2023, 6, 1))
        followup.commitment_report(
            commitment=section.commitment, status="partly", actor=self.officers["gxj"],
            text="产业园一期主体工程已完工，冷链物流中心正在设备安装，检测中心预计8月底投入使用。")
        self.section(proposal, 2, "tcj", "市投促局已把预制菜列入年度重点招商产业目录。", upto="draft")

    def released_charging_piles(self):
        """退办 and 改办: assigned to the wrong agency this week, released and reassigned."""
        proposal = self.proposal(
            title="关于加快新能源汽车充电设施建设的建议",
            proposers=[{"name": "李卓然", "kind": "member"}],
            category="经济建设", submitted_on=D(2023, 1, 16),
            recommendations=["将充电设施纳入城市基础设施规划", "推动老旧小区加装公共充电桩"],
        )
        if not proposal:
            return
        self.assign(proposal, on=D(2023, 7, 10), lead="mzj", co=("gxj",))
        request = releases.release_request(
            assignment=proposal.assignments.get(agency=self.agencies["mzj"]), actor=self.officers["mzj"],
            suggested_agency=self.agencies["fgj"],
            reason="充电设施规划建设属发展改革部门职责，市民政局不承担相关职能。",
        )
        releases.release_approve(request=request, actor=self.liaison, agency=self.agencies["fgj"],
                                 note="同意退办，改由市发改局主办。")

    def release_pending_time_honoured(self):
        """A 退办 request waiting for the liaison staff."""
        proposal = self.proposal(
            title="关于扶持老字号企业传承发展的建议",
            proposers=[{"name": "工商联界别", "kind": "group"}],
            category="经济建设", submitted_on=D(2023, 1, 17),
            recommendations=["建立老字号企业名录和保护制度", "支持老字号企业开展品牌推广"],
        )
        if not proposal:
            return
        self.assign(proposal, on=D(2023, 7, 10), lead="tcj", co=("gxj",))
        releases.release_request(
            assignment=proposal.assignments.get(agency=self.agencies["tcj"]), actor=self.officers["tcj"],
            suggested_agency=self.agencies["gsl"],
            reason="老字号企业的认定和扶持由工商联会同商务部门负责，不属于招商引资工作范围。",
        )

    # ------------------------------------------------------------ the example letter
