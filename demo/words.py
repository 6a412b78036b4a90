"""The words of the generated data: sessions, agencies, topics, names and the texts of
proposals, sections and letters, chosen by the generator's seeded random numbers."""

from __future__ import annotations

import random

from proposals.models import (
    Proposer,
)
from replies.composition import chinese_ordinal

# ---------------------------------------------------------------- the words

COMMITTEE = "政协中山市委员会"
# (term, meeting, year, rules that differ from the defaults); the last ``--sessions`` are used.
SESSIONS = [
    (13, 3, 2024, {}),
    (13, 4, 2025, {"co_due_amount": 20, "co_due_unit": "working_days"}),
    (13, 5, 2026, {}),
]


def session_row(term: int, meeting: int, year: int) -> dict:
    return {"code": f"{term}-{meeting}", "committee": COMMITTEE, "term": term, "meeting": meeting,
            "year": year, "name": f"市政协{chinese_ordinal(term)}届{chinese_ordinal(meeting)}次会议"}


# code, full name, short name, document-number prefix; the first ``--agencies`` are used.
AGENCIES = [tuple(line.split()) for line in """
gsl 中山市工商业联合会 市工商联 中工商联函
mzj 中山市民政局 市民政局 中民函
gxj 中山市工业和信息化局 市工信局 中工信函
fgj 中山市发展和改革局 市发改局 中发改函
tcj 中山市投资促进局 市投促局 中投促函
jtj 中山市教育和体育局 市教体局 中教体函
wjj 中山市卫生健康局 市卫健局 中卫健函
rsj 中山市人力资源和社会保障局 市人社局 中人社函
czj 中山市财政局 市财政局 中财函
zrj 中山市自然资源局 市自然资源局 中自然资函
zjj 中山市住房和城乡建设局 市住建局 中建函
jtysj 中山市交通运输局 市交通运输局 中交函
swj 中山市水务局 市水务局 中水函
nyj 中山市农业农村局 市农业农村局 中农函
sws 中山市商务局 市商务局 中商务函
wgl 中山市文化广电旅游局 市文广旅局 中文广旅函
scj 中山市市场监督管理局 市市场监管局 中市监函
sthj 中山市生态环境局 市生态环境局 中环函
kjj 中山市科学技术局 市科技局 中科函
gaj 中山市公安局 市公安局 中公函
sfj 中山市司法局 市司法局 中司函
yjj 中山市应急管理局 市应急管理局 中应急函
ybj 中山市医疗保障局 市医保局 中医保函
jrj 中山市金融工作局 市金融局 中金函
zsj 中山市政务服务和数据管理局 市政数局 中政数函
cgj 中山市城市管理和综合执法局 市城管执法局 中城管函
tyjr 中山市退役军人事务局 市退役军人事务局 中退役军人函
cl 中山市残疾人联合会 市残联 中残联函
fl 中山市妇女联合会 市妇联 中妇函
tsw 共青团中山市委员会 团市委 中青函
lyj 中山市林业局 市林业局 中林函
gjj 中山市住房公积金管理中心 市住房公积金中心 中公积金函
gzw 中山市人民政府国有资产监督管理委员会 市国资委 中国资函
tjj 中山市统计局 市统计局 中统函
sjj 中山市审计局 市审计局 中审函
mzzj 中山市民族宗教事务局 市民宗局 中民宗函
kx 中山市科学技术协会 市科协 中科协函
zgh 中山市总工会 市总工会 中工会函
hjq 中山火炬高技术产业开发区管理委员会 火炬开发区管委会 中开管函
cxq 中山翠亨新区管理委员会 翠亨新区管委会 中翠管函
xfj 中山市信访局 市信访局 中信访函
qxj 中山市气象局 市气象局 中气函
wl 中山市文学艺术界联合会 市文联 中文联函
xlz 中山市小榄镇人民政府 小榄镇政府 榄府函
gzz 中山市古镇镇人民政府 古镇镇政府 古府函
tzz 中山市坦洲镇人民政府 坦洲镇政府 坦府函
sxz 中山市沙溪镇人民政府 沙溪镇政府 沙府函
hpz 中山市黄圃镇人民政府 黄圃镇政府 黄府函
sqj 中山市石岐街道办事处 石岐街道办 岐街函
dqj 中山市东区街道办事处 东区街道办 东街函
""".split("\n") if line.strip()]
# Agencies whose header mark is their own name (信函格式) rather than "…文件".
LETTER_STYLE = {"tcj", "kx", "wl"}


def agency_row(index: int) -> dict:
    code, name, short_name, prefix = AGENCIES[index]
    person = member_names(len(AGENCIES), salt="contacts")[index]
    row = {"code": code, "name": name, "short_name": short_name, "title_name": name,
           "letterhead": name if code in LETTER_STYLE else f"{name}文件", "doc_prefix": prefix,
           "letter_style": "letter" if code in LETTER_STYLE else "document",
           "contact": f"{person}，0760-88{(index * 7919 + 104729) % 1000000:06d}"}
    if code == "gsl":
        row.update(title_name="中山市工商联", letterhead="中山市工商联(总商会)文件")
    return row


# weight, category, agencies that usually lead, topic, the titles' phrases (|-separated).
TOPICS = [
    {"weight": int(w), "category": c, "agencies": a.split(","), "name": n, "phrases": ph.split("|")}
    for w, c, a, n, ph in (line.split() for line in """
6 社会建设 mzj,wjj,ybj 养老服务 完善社区居家养老服务体系|推进医养结合养老服务发展|加强养老机构服务质量监管|扩大长者饭堂覆盖面
5 经济建设 fgj,scj,zsj,sws 营商环境 持续优化营商环境|打造市场化法治化国际化营商环境|以数字政务助力营商环境提升
3 经济建设 gsl,mzj,scj 行业协会 充分发挥行业协会作用，为中山经济高质量发展贡献力量|推动行业协会商会规范健康发展|发挥异地商会和行业协会桥梁纽带作用
2 经济建设 jrj,gxj,czj 中小企业融资 缓解中小企业融资难融资贵问题|拓宽中小企业融资渠道|完善政府性融资担保体系
4 经济建设 nyj,zrj,czj 乡村振兴 全面推进乡村振兴|以特色产业带动乡村振兴|加强乡村振兴人才队伍建设
4 经济建设 gxj,kjj,fgj 制造业数字化转型 推动传统制造业数字化智能化转型|加快工业互联网平台建设
3 社会建设 zjj,zrj 老旧小区改造 加快推进老旧小区改造|推进老旧小区加装电梯
3 文化建设 jtj,rsj 职业教育 推动职业教育与产业深度融合|加强技能人才培养
2 社会建设 wjj,jtj,fl 托育服务 发展普惠托育服务|完善婴幼儿照护服务体系
2 文化建设 jtj,wjj 心理健康教育 加强中小学生心理健康教育|完善学生心理危机干预机制
3 文化建设 wgl,sws 文旅融合 推动文化和旅游深度融合|擦亮香山文化品牌
2 文化建设 zrj,wgl,zjj 历史文化街区保护 加强历史文化街区保护与活化利用|推动岐江两岸历史建筑活化
3 生态文明建设 swj,sthj 河涌治理 加强城乡河涌综合整治|巩固水环境治理成效
2 生态文明建设 cgj,sthj 垃圾分类 深入推进生活垃圾分类|完善再生资源回收体系
3 社会建设 jtysj 公共交通 优化城市公共交通线网|推动公交与轨道交通接驳
2 社会建设 gaj,jtysj,cgj 停车难 破解老城区停车难问题|规划建设公共停车设施
3 经济建设 rsj,tcj,kjj 人才引进 完善高层次人才引进和服务保障|吸引青年人才来中山创新创业
3 经济建设 tcj,sws 招商引资 提升招商引资质效|加强产业链精准招商
2 经济建设 nyj,scj,sws 预制菜产业 推动预制菜产业高质量发展|打造预制菜区域公用品牌
2 社会建设 wjj,ybj 家庭医生签约 做实家庭医生签约服务|推动优质医疗资源下沉基层
2 社会建设 scj,jtj 食品安全 加强校园及周边食品安全监管|提升食品安全治理能力
3 经济建设 fgj,jtysj,sws 湾区融合 借力深中通道加快融入粤港澳大湾区|深化与港澳规则衔接机制对接
2 经济建设 gxj,fgj,jtysj 新能源汽车 完善新能源汽车充电基础设施|培育新能源汽车产业链
2 经济建设 sws 跨境电商 支持跨境电商发展|推动外贸企业开拓国际市场
3 政治建设 mzj,sfj 社区治理 提升基层社区治理效能|推动网格化服务管理提质增效
2 政治建设 sfj,zsj 法治政府建设 深化法治政府建设|规范涉企行政执法行为
2 社会建设 yjj,qxj 应急管理 提升城市应急管理能力|加强防汛防台风能力建设
3 社会建设 rsj,tsw 就业创业 做好高校毕业生就业创业工作|加强灵活就业人员权益保障
1 社会建设 cl,mzj 残疾人服务 完善残疾人托养和康复服务|推进无障碍环境建设
1 社会建设 tyjr 退役军人服务 加强退役军人就业安置服务
2 生态文明建设 lyj,zrj 绿美生态 推进绿美中山生态建设|加强森林公园和绿道建设
2 经济建设 zsj,gxj 智慧城市 加快数字政府和智慧城市建设|推动政务数据共享开放
3 经济建设 gsl,fgj,gxj 民营经济 促进民营经济发展壮大|构建亲清政商关系
3 经济建设 kjj,gxj,kx 科技创新 提升企业自主创新能力|加快科技成果转化
2 社会建设 zjj,gjj 住房保障 完善住房保障体系|扩大保障性租赁住房供给
1 文化建设 jtj,zgh 全民健身 推动全民健身公共服务提升|加快社区体育设施建设
2 经济建设 xlz,gzz,tzz,sxz,hpz 镇街产业升级 支持镇街特色产业集群发展|推动镇村工业园升级改造
1 其他 tsw,mzj 志愿服务 推动志愿服务制度化常态化
""".split("\n") if line.strip())
]

SUFFIXES = ["", "", "", "，助力中山高质量发展", "，增进民生福祉", "，推动中山在湾区中崛起"]
CONCERNS = ["群众切身利益", "全市高质量发展大局", "城市发展质量和民生福祉", "营商环境和城市竞争力",
            "社会和谐稳定"]
ACHIEVEMENTS = ["市委、市政府高度重视，出台了一系列政策措施", "各有关部门协同发力，工作机制逐步健全",
                "财政投入持续加大，基础设施不断完善", "试点示范有序推进，形成了一批可复制的经验"]
PROBLEMS = ["政策落实不够到位", "部门协同联动不足", "资金投入相对不足", "专业人才短缺",
            "服务供给不平衡不充分", "信息化水平不高", "监管机制有待完善", "社会力量参与度不高",
            "区域发展不均衡", "宣传引导不够"]
GAPS = ["群众反映较为集中", "短板弱项较为明显", "与先进城市相比还有较大差距", "相关政策衔接还不够顺畅"]
REC_TITLES = ["加大{k}财政投入力度", "建立健全{k}部门协调联动机制", "完善{k}政策支持体系",
              "强化{k}专业人才队伍建设", "优化{k}审批服务流程", "推动{k}数字化智能化发展",
              "加强{k}工作的监督考核", "拓宽{k}资金筹措渠道", "发挥社会力量在{k}中的作用",
              "开展{k}试点示范", "加强{k}宣传引导", "做好{k}统计监测和成效评估"]
REC_BODIES = ["由市有关部门牵头，制定具体工作方案，明确时间表和路线图",
              "对标先进城市经验，分步实施、逐年推进", "将相关工作纳入年度绩效考核，压实各方责任",
              "整合现有资源，避免重复建设，提高资金使用效益", "听取企业和群众意见，及时调整完善政策措施"]
MEASURES = ["今年以来已出台配套工作方案，明确了责任分工和完成时限。",
            "已将相关工作纳入年度重点任务，安排专项资金予以保障。",
            "已会同有关部门开展专题调研，摸清了底数和主要问题。", "已在部分镇街先行试点，取得了初步成效。"]
PLANS = ["下一步，将认真吸收提案意见，持续跟踪落实。", "下一步，将加强统筹协调，确保各项措施落地见效。",
         "下一步，将适时总结经验，逐步在全市推广。",
         "受财力和政策所限，目前暂不具备全面实施条件，将在今后工作中统筹研究。"]
SURNAMES = "陈李黄张梁刘林吴何郑杨罗周谢冯郭孙徐朱胡萧邓卢麦叶曾苏蔡余彭潘许赖钟严高"
GIVEN = "伟明华国志文建军晓丽敏静婷嘉颖欣诗雅子俊杰振宇浩然家豪海燕慧玲美琪少荣永强秀英锦辉"


def member_names(count: int, *, salt: str = "members") -> list[str]:
    """``count`` different personal names, the same ones every time for the same salt."""
    rng = random.Random(f"names:{salt}")
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _i in range(rng.choice([1, 2, 2])))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def proposal_texts(topic: dict, recommendations: int, rng: random.Random) -> dict:
    """A proposal's title, body and recommendations, and a writer of its sections' texts."""
    related = [t for t in TOPICS if t["category"] == topic["category"] and t is not topic] or TOPICS
    other = rng.choices(related, [t["weight"] for t in related])[0]
    titles = [t.format(k=topic["name"]) for t in rng.sample(REC_TITLES, recommendations)]
    problems = rng.sample(PROBLEMS, 2)
    body = "\n".join([
        f"{topic['name']}事关{rng.choice(CONCERNS)}。近年来，{rng.choice(ACHIEVEMENTS)}，"
        f"我市{topic['name']}工作取得了积极成效。",
        f"但对照群众期盼和高质量发展要求，{topic['name']}仍存在{problems[0]}、{problems[1]}等问题，"
        f"特别是在{other['name']}方面，{rng.choice(GAPS)}。",
        "为此，建议：" + "".join(f"{chinese_ordinal(i)}、{t}。" for i, t in enumerate(titles, start=1)),
    ])

    def section(agency: str, title: str, adoption: str) -> str:
        return (f"{agency}高度重视关于{title}的建议，经研究，采纳情况为“{adoption}”。"
                f"{rng.choice(MEASURES)}{rng.choice(PLANS)}")

    return {
        "title": f"关于{rng.choice(topic['phrases'])}{rng.choice(SUFFIXES)}的建议",
        "body": body,
        "recommendations": [(t, f"建议{rng.choice(REC_BODIES)}。") for t in titles],
        "section": section,
    }


def letter_texts(agency, session, number: str, title: str, lead, co_names: list[str]) -> dict:
    """A letter's wording, as a new letter starts from (see ``default_letter_fields``)."""
    you = "您" if lead.kind == Proposer.Kind.MEMBER else "你们"
    combined = f"经综合{'、'.join(co_names)}意见，" if co_names else ""
    return {
        "title": f"{agency.title_name}关于{session.name}第{number}号提案答复的函",
        "addressee": lead.salutation,
        "opening": f"{you}提出的《{title}》（提案第{number}号）收悉，{combined}现答复如下：",
        "closing": "专此答复。",
        "signatory": agency.name,
        "note": f"联系人及电话：{agency.contact}" if agency.contact else "",
        "cc": ["市政协提案委", "市政府办公室", *co_names],
        "issued_by": agency.name,
    }
