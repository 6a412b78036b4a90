"""The pages of agency officers and approvers, through the client.

The inbox; drafting, submitting, approving and returning sections; two people saving
the same section or letter; assembling, signing, voiding and replacing the letter;
who may do what; and query counts that do not grow with the data.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.workflow import DomainError, IllegalMove
from proposals import services as ps
from proposals.models import Proposal
from replies import services as rs
from replies.composition import letter_sections
from replies.forms import TEXT_LIMIT
from replies.models import AdoptionStatus, ReplyLetter, Section
from tests.factories import AgencyFactory, commitment_for, history_of, proposal_in_state, user_in

D = datetime.date
LEAD_DUE, CO_DUE = D(2023, 6, 1), D(2023, 4, 1)
SIGNED_ON = "2023-07-07"


def url(name, *args):
    return reverse(f"replies:{name}", args=args)


def login(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def page(response) -> str:
    return response.content.decode()


def adoption(code="adopted") -> AdoptionStatus:
    return AdoptionStatus.objects.get(code=code)


def assign(world, proposal, *, lead=None, co=(), lead_due=LEAD_DUE, co_due=CO_DUE):
    ps.proposal_register(proposal=proposal, actor=world.liaison)
    day = D(2023, 3, 1)
    items = [{"agency": lead, "role": "lead", "assigned_on": day, "due_on": lead_due}]
    items += [{"agency": a, "role": "co", "assigned_on": day, "due_on": co_due} for a in co]
    ps.proposal_assign(proposal=proposal, assignments=items, actor=world.liaison)
    proposal.refresh_from_db()
    return proposal


def section_of(world, proposal, agency, ordinal=1, body="已办理。", state="draft", code="adopted"):
    officer, approver = (
        (world.lead_officer, world.lead_approver) if agency == world.lead
        else (world.co_officer, world.co_approver)
    )
    section = rs.section_create(
        recommendation=proposal.recommendations.get(ordinal=ordinal), agency=agency,
        actor=officer, adoption=code, body=body, commitment=commitment_for(code),
    )
    if state in ("submitted", "approved"):
        rs.section_submit(section=section, actor=officer)
    if state == "approved":
        rs.section_approve(section=section, actor=approver)
    section.refresh_from_db()
    return section


def hidden_version(html: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


# ---------------------------------------------------------------- the inbox


def test_the_inbox_lists_the_agencys_items_most_urgent_first(client, world):
    other = AgencyFactory(code="other", short_name="市其他局")
    later = assign(world, world.proposal(number="132101", title="关于较晚到期事项的建议"),
                   lead=world.lead, lead_due=D(2023, 9, 1))
    sooner = assign(world, world.proposal(number="132102", title="关于较早到期事项的建议"),
                    lead=world.lead, lead_due=D(2023, 5, 1))
    assign(world, world.proposal(number="132103", title="关于别的单位事项的建议"), lead=other)
    world.proposal(number="132104", title="关于尚未交办事项的建议")
    section_of(world, sooner, world.lead, ordinal=2, state="submitted")

    html = page(login(client, world.lead_officer).get(url("inbox")))
    assert html.index("第132102号") < html.index("第132101号")
    assert "关于较早到期事项的建议" in html and "关于较晚到期事项的建议" in html
    assert "别的单位" not in html and "尚未交办" not in html
    assert "主办" in html and "2023年5月1日" in html
    assert "已超期" in html  # every due date of the world lies in the past
    assert "待审核" in html and "未撰写" in html
    assert url("handling", sooner.pk) in html and url("handling", later.pk) in html


def test_the_inbox_shows_the_co_handlers_own_due_date_and_role(client, world):
    proposal = world.assigned()
    html = page(login(client, world.co_officer).get(url("inbox")))
    assert "会办" in html and "2023年4月1日" in html and proposal.title in html
    assert "答复函：" not in html  # co-handlers answer through the lead


def test_approvers_see_what_waits_for_them(client, world):
    proposal = world.assigned(title="关于等待审核事项的建议")
    section_of(world, proposal, world.lead, state="submitted", body="请审核这一段。")
    _p, letter = world.ready_letter(world.assigned(title="关于等待签发事项的建议"))
    rs.letter_submit(letter=letter, actor=world.lead_officer)

    html = page(login(client, world.lead_approver).get(url("inbox")))
    assert "待审核的办理意见（1条）" in html and "关于等待审核事项的建议" in html
    assert "待签发的答复函（1份）" in html and url("letter_detail", letter.pk) in html

    officer = page(login(client, world.lead_officer).get(url("inbox")))
    assert "待审核的办理意见" not in officer and "待签发的答复函" not in officer
    other_approver = page(login(client, world.co_approver).get(url("inbox")))
    assert "待签发的答复函" not in other_approver


def test_the_inbox_needs_a_login(client, world):
    response = login(client, None).get(url("inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ---------------------------------------------------------------- drafting and approving


def test_drafting_submitting_and_approving_through_the_pages(client, world):
    proposal = world.assigned()
    recommendation = proposal.recommendations.get(ordinal=1)
    login(client, world.lead_officer)
    form = client.get(url("section_create", recommendation.pk))
    assert form.status_code == 200 and "一、关于第1条建议的标题的建议" in page(form)

    response = client.post(url("section_create", recommendation.pk), {
        "adoption": adoption("in_progress").pk, "body": "第一段。\r\n第二段。", "action": "save",
        "commitment_what": "年内完成。", "commitment_due": str(datetime.date.today() + datetime.timedelta(days=100)),
    })
    assert response.status_code == 302
    section = Section.objects.get()
    assert (section.agency, section.state, section.body) == (world.lead, "draft", "第一段。\n第二段。")
    assert section.adoption.code == "in_progress"

    html = page(client.get(url("handling", proposal.pk)))
    assert "第一段。" in html and "草稿" in html and url("section_edit", section.pk) in html

    edit = client.get(url("section_edit", section.pk))
    response = client.post(url("section_edit", section.pk), {
        "adoption": adoption().pk, "body": "改写后的正文。", "version": hidden_version(page(edit)),
        "action": "submit",
    })
    assert response.status_code == 302
    section.refresh_from_db()
    assert (section.state, section.body, section.adoption.code) == ("submitted", "改写后的正文。", "adopted")

    login(client, world.lead_approver)
    assert client.post(url("section_approve", section.pk)).status_code == 302
    section.refresh_from_db()
    assert section.state == "approved"


def test_the_approver_returns_a_section_with_a_reason(client, world):
    proposal = world.assigned()
    section = section_of(world, proposal, world.lead, state="submitted")
    login(client, world.lead_approver)

    refused = client.post(url("section_return", section.pk), {"reason": "  "})
    assert refused.status_code == 200 and "请填写理由" in page(refused)
    section.refresh_from_db()
    assert section.state == "submitted"

    response = client.post(url("section_return", section.pk), {"reason": "请补充具体数据。"})
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.state == "draft"
    assert history_of(section).last().reason == "请补充具体数据。"

    login(client, world.lead_officer)
    html = page(client.get(url("handling", proposal.pk)))
    assert "退回理由：请补充具体数据。" in html
    assert "请补充具体数据。" in page(client.get(url("section_edit", section.pk)))


def test_an_officer_reopens_an_approved_section_with_a_reason(client, world):
    proposal = world.assigned()
    section = section_of(world, proposal, world.lead, state="approved")
    login(client, world.lead_officer)
    assert client.post(url("section_revise", section.pk), {"reason": "数据有更新"}).status_code == 302
    section.refresh_from_db()
    assert section.state == "draft"


def test_a_refused_submit_keeps_the_saved_draft_and_says_why(client, world):
    proposal = world.assigned()
    recommendation = proposal.recommendations.get(ordinal=1)
    login(client, world.lead_officer)
    response = client.post(url("section_create", recommendation.pk), {
        "adoption": adoption().pk, "body": "", "action": "submit",
    }, follow=True)
    section = Section.objects.get()
    assert section.state == "draft"
    assert "草稿已保存，但未能提交审核" in page(response) and "办理意见正文" in page(response)


def test_the_adoption_status_is_required_and_only_active_ones_are_offered(client, world):
    proposal = world.assigned()
    recommendation = proposal.recommendations.get(ordinal=1)
    AdoptionStatus.objects.filter(code="explained").update(is_active=False)
    login(client, world.lead_officer)
    html = page(client.get(url("section_create", recommendation.pk)))
    assert "吸收采纳" in html and "解释说明" not in html
    response = client.post(url("section_create", recommendation.pk), {"body": "正文保留。"})
    assert response.status_code == 200
    assert "请选择采纳情况" in page(response) and "正文保留。" in page(response)
    retired = client.post(url("section_create", recommendation.pk), {
        "adoption": adoption("explained").pk, "body": "正文。",
    })
    assert "已停用" in page(retired)
    assert not Section.objects.exists()


def test_oversized_text_is_refused_and_kept(client, world):
    proposal = world.assigned()
    recommendation = proposal.recommendations.get(ordinal=1)
    text = "字" * (TEXT_LIMIT + 1)
    login(client, world.lead_officer)
    response = client.post(url("section_create", recommendation.pk), {
        "adoption": adoption().pk, "body": text,
    })
    assert response.status_code == 200
    assert "内容过长" in page(response) and "50000" in page(response)
    assert response.context["form"]["body"].value() == text
    assert not Section.objects.exists()


def test_a_refusal_by_the_service_is_shown_with_the_input(client, world):
    proposal = world.proposal()  # not yet assigned: nobody may answer it
    outsider_recommendation = proposal.recommendations.get(ordinal=1)
    login(client, world.lead_officer)
    assert client.get(url("section_create", outsider_recommendation.pk)).status_code == 404

    closed = proposal_in_state(world, Proposal.State.CLOSED)
    recommendation = closed.recommendations.get(ordinal=1)
    response = client.post(url("section_create", recommendation.pk), {
        "adoption": adoption().pk, "body": "写好的正文不丢失。",
    })
    assert response.status_code == 200
    assert "只有已交办或重新办理的提案可以办理" in page(response)
    assert "写好的正文不丢失。" in page(response)


# ---------------------------------------------------------------- who sees whose sections


def test_a_co_handlers_draft_is_invisible_to_the_lead_until_submitted(client, world):
    proposal = world.assigned()
    section = section_of(world, proposal, world.co, body="会办单位的内部草稿。")

    login(client, world.lead_officer)
    assert "会办单位的内部草稿。" not in page(client.get(url("handling", proposal.pk)))
    assert client.get(url("section_edit", section.pk)).status_code == 404
    assert client.post(url("section_submit", section.pk)).status_code == 404

    login(client, world.co_officer)
    assert "会办单位的内部草稿。" in page(client.get(url("handling", proposal.pk)))
    client.post(url("section_submit", section.pk))

    login(client, world.lead_officer)
    html = page(client.get(url("handling", proposal.pk)))
    assert "会办单位的内部草稿。" in html and "待审核" in html
    # Seen, but not the lead's to change or approve.
    assert url("section_edit", section.pk) not in html
    assert url("section_approve", section.pk) not in html
    login(client, world.lead_approver)
    assert client.post(url("section_approve", section.pk)).status_code == 403


# ---------------------------------------------------------------- two people, one section


def test_a_concurrent_edit_is_refused_with_both_versions_and_the_row_unchanged(client, world):
    proposal = world.assigned()
    section = section_of(world, proposal, world.lead, body="原来的正文。")
    colleague = user_in(world.lead, "officer", username="lead-officer-2")

    login(client, world.lead_officer)
    loaded_at = hidden_version(page(client.get(url("section_edit", section.pk))))
    # Meanwhile a colleague saves the same draft.
    rs.section_update(section=section, actor=colleague, expected_version=loaded_at,
                      adoption="planned", body="同事保存的正文。")
    section.refresh_from_db()
    saved = (section.version, section.body, section.adoption.code)

    response = client.post(url("section_edit", section.pk), {
        "adoption": adoption().pk, "body": "我输入的正文。", "version": loaded_at,
    })
    assert response.status_code == 200
    html = page(response)
    assert "保存失败" in html and "已被他人修改" in html
    assert "对方已保存的内容" in html and "同事保存的正文。" in html and "列入计划" in html
    assert "您填写的内容" in html and "我输入的正文。" in html
    assert response.context["form"]["body"].value() == "我输入的正文。"
    section.refresh_from_db()
    assert (section.version, section.body, section.adoption.code) == saved

    # Saving again after seeing both is a deliberate choice, and is accepted.
    again = client.post(url("section_edit", section.pk), {
        "adoption": adoption().pk, "body": "我输入的正文。", "version": hidden_version(html),
    })
    assert again.status_code == 302
    section.refresh_from_db()
    assert section.body == "我输入的正文。"


def test_saving_a_section_submitted_meanwhile_is_refused_with_the_input_kept(client, world):
    proposal = world.assigned()
    section = section_of(world, proposal, world.lead)
    login(client, world.lead_officer)
    loaded_at = hidden_version(page(client.get(url("section_edit", section.pk))))
    rs.section_submit(section=section, actor=world.lead_approver)
    response = client.post(url("section_edit", section.pk), {
        "adoption": adoption().pk, "body": "我的修改。", "version": loaded_at,
    })
    assert "已被他人修改" in page(response) and "我的修改。" in page(response)
    retry = client.post(url("section_edit", section.pk), {
        "adoption": adoption().pk, "body": "我的修改。", "version": hidden_version(page(response)),
    })
    assert "只有草稿可以修改" in page(retry) and "我的修改。" in page(retry)
    section.refresh_from_db()
    assert section.body == "已办理。"


# ---------------------------------------------------------------- the letter, end to end


@pytest.fixture
def answered(world):
    """An assigned proposal: recommendation 1 answered by the lead and the co-handler,
    recommendation 2 by the lead, all approved."""
    proposal = world.assigned()
    first = section_of(world, proposal, world.lead, 1, body="主办单位的办理情况。", state="approved")
    second = section_of(world, proposal, world.co, 1, body="会办单位的办理情况。", state="approved",
                        code="in_progress")
    section_of(world, proposal, world.lead, 2, body="第二条的办理情况。", state="approved")
    return proposal, first, second


def test_assembling_signing_voiding_and_replacing_a_letter(client, world, answered):
    proposal, first, second = answered
    login(client, world.lead_officer)

    # Create: the opening names the co-handler whose opinion was combined.
    response = client.post(url("letter_create", proposal.pk))
    letter = ReplyLetter.objects.get()
    assert response.status_code == 302 and response["Location"] == url("letter_detail", letter.pk)
    html = page(client.get(url("letter_detail", letter.pk)))
    assert "经综合市民政局意见" in html
    assert "一、关于第1条建议的标题的建议" in html and "主办单位的办理情况。" in html
    assert url("letter_draft_pdf", letter.pk) in html and 'target="_blank"' in html

    # Edit the wording.
    fields = {
        "title": letter.title, "addressee": "民建测试市委会", "opening": letter.opening,
        "closing": "专此答复。", "signatory": letter.signatory, "note": "联系人：王某，12345678",
        "disclosure": "依申请公开", "cc": "市政协提案委、市政府办公室\n市民政局",
        "issued_by": letter.issued_by, "version": hidden_version(html),
    }
    assert client.post(url("letter_update", letter.pk), fields).status_code == 302
    letter.refresh_from_db()
    assert letter.cc == ["市政协提案委", "市政府办公室", "市民政局"]
    assert letter.disclosure == "依申请公开" and letter.note == "联系人：王某，12345678"

    # Reorder: the co-handler's part goes first.
    assert [s.pk for s in letter_sections(letter).filter(recommendation__ordinal=1)] == [first.pk, second.pk]
    client.post(url("letter_move", letter.pk), {"section": first.pk, "direction": "down"})
    assert [s.pk for s in letter_sections(letter).filter(recommendation__ordinal=1)] == [second.pk, first.pk]
    html = page(client.get(url("letter_detail", letter.pk)))
    assert html.index("会办单位的办理情况。") < html.index("主办单位的办理情况。")
    assert "该项建议正在落实。会办单位的办理情况。" in html  # the phrase of the first part

    # The class: suggested B (one part is 正在落实); choosing A needs a reason.
    assert "建议分类为 <strong>B类</strong>" in html
    refused = client.post(url("letter_set_class", letter.pk), {"klass": "A", "reason": ""})
    assert refused.status_code == 200 and "须填写理由" in page(refused)
    letter.refresh_from_db()
    assert letter.klass == "B"
    client.post(url("letter_set_class", letter.pk), {"klass": "A", "reason": "主要建议均已采纳。"})
    letter.refresh_from_db()
    assert (letter.klass, letter.class_reason) == ("A", "主要建议均已采纳。")
    html = page(client.get(url("letter_detail", letter.pk)))
    assert "所选分类（A类）与建议分类（B类）不同" in html and "主要建议均已采纳。" in html

    # Send for signing; the officer may not sign.
    assert client.post(url("letter_submit", letter.pk)).status_code == 302
    letter.refresh_from_db()
    assert letter.state == "in_review"
    assert client.post(url("letter_sign", letter.pk), {"signed_on": SIGNED_ON}).status_code == 403

    # The approver signs: the number is shown, with the final PDF.
    login(client, world.lead_approver)
    html = page(client.get(url("letter_detail", letter.pk)))
    assert 'name="signed_on"' in html
    response = client.post(url("letter_sign", letter.pk), {"signed_on": SIGNED_ON}, follow=True)
    letter.refresh_from_db()
    assert letter.state == "signed" and letter.number == "测工商联函〔2023〕1号"
    html = page(response)
    assert "测工商联函〔2023〕1号" in html and url("letter_pdf", letter.pk) in html
    assert "2023年7月7日" in html

    # Void with a reason, then a replacement.
    assert "请填写理由" in page(client.post(url("letter_void", letter.pk), {"void-reason": ""}))
    client.post(url("letter_void", letter.pk), {"void-reason": "抄送单位有误。"})
    letter.refresh_from_db()
    assert letter.state == "voided" and letter.void_reason == "抄送单位有误。"
    login(client, world.lead_officer)
    html = page(client.get(url("letter_detail", letter.pk)))
    assert "起草新的答复函替换" in html
    response = client.post(url("letter_create", proposal.pk))
    replacement = ReplyLetter.objects.exclude(pk=letter.pk).get()
    assert response["Location"] == url("letter_detail", replacement.pk)
    assert replacement.state == "draft" and replacement.round == letter.round
    html = page(client.get(url("letter_detail", letter.pk)))
    assert "替换的答复函" in html and url("letter_detail", replacement.pk) in html


def test_the_approver_returns_a_letter_with_a_reason(client, world):
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    login(client, world.lead_approver)
    refused = client.post(url("letter_return", letter.pk), {"return-reason": ""})
    assert refused.status_code == 200 and "请填写理由" in page(refused)
    client.post(url("letter_return", letter.pk), {"return-reason": "开头请写明会办单位。"})
    letter.refresh_from_db()
    assert letter.state == "draft"
    assert history_of(letter).last().reason == "开头请写明会办单位。"


def test_submitting_an_incomplete_letter_says_what_is_missing(client, world):
    proposal = world.assigned()
    section_of(world, proposal, world.lead, 1, state="approved")
    section_of(world, proposal, world.lead, 2, state="submitted")
    login(client, world.lead_officer)
    client.post(url("letter_create", proposal.pk))
    letter = ReplyLetter.objects.get()
    html = page(client.get(url("letter_detail", letter.pk)))
    assert "审核通过后才会印入正文" in html
    response = client.post(url("letter_submit", letter.pk), follow=True)
    assert "以下办理意见尚未审核通过" in page(response)
    letter.refresh_from_db()
    assert letter.state == "draft"


def test_moving_parts_with_htmx_returns_the_parts_and_the_preview(client, world, answered):
    proposal, first, second = answered
    _p, letter = proposal, rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    login(client, world.lead_officer)
    response = client.post(url("letter_move", letter.pk), {"section": second.pk, "direction": "up"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = page(response)
    assert html.lstrip().startswith('<section class="panel" id="parts"')
    assert 'id="letter-body" hx-swap-oob="true"' in html
    assert html.index("会办单位的办理情况。") < html.index("主办单位的办理情况。")
    # Already first: refused, with the reason in the fragment.
    again = page(client.post(url("letter_move", letter.pk), {"section": second.pk, "direction": "up"},
                             HTTP_HX_REQUEST="true"))
    assert "已排在第一位" in again


def test_two_people_editing_a_letter(client, world):
    _proposal, letter = world.ready_letter()
    login(client, world.lead_officer)
    html = page(client.get(url("letter_detail", letter.pk)))
    loaded_at = hidden_version(html)
    rs.letter_update(letter=letter, actor=world.lead_approver, expected_version=loaded_at,
                     addressee="对方改的主送")
    letter.refresh_from_db()
    before = (letter.version, letter.addressee)
    fields = {name: getattr(letter, name) for name in ("title", "opening", "closing", "signatory",
                                                       "note", "disclosure", "issued_by")}
    response = client.post(url("letter_update", letter.pk), {
        **fields, "addressee": "我改的主送", "cc": "市政协提案委", "version": loaded_at,
    })
    assert response.status_code == 200
    html = page(response)
    assert "已被他人修改" in html and "对方改的主送" in html and "我改的主送" in html
    letter.refresh_from_db()
    assert (letter.version, letter.addressee) == before


# ---------------------------------------------------------------- section_move (the service)


def test_section_move_is_only_for_draft_letters_and_the_letters_agency(world, answered):
    proposal, first, second = answered
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    with pytest.raises(PermissionDenied):
        rs.section_move(letter=letter, section=first, direction="down", actor=world.co_officer)
    with pytest.raises(DomainError, match="已排在最后一位"):
        rs.section_move(letter=letter, section=second, direction="down", actor=world.lead_officer)
    with pytest.raises(DomainError, match="上移或下移"):
        rs.section_move(letter=letter, section=second, direction="sideways", actor=world.lead_officer)
    moved = rs.section_move(letter=letter, section=second, direction="up", actor=world.lead_officer)
    assert [(s.pk, s.position) for s in moved] == [(second.pk, 1), (first.pk, 2)]
    assert history_of(letter).last().data["fields"] == ["order"]
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    with pytest.raises(IllegalMove, match="只有草稿可以调整"):
        rs.section_move(letter=letter, section=second, direction="down", actor=world.lead_officer)


def test_section_move_keeps_sections_not_yet_approved_after_the_printed_ones(world, answered):
    proposal, first, second = answered
    pending = section_of(world, proposal, world.lead, 1, body="还在审核。", state="submitted")
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    with pytest.raises(DomainError, match="只有审核通过"):
        rs.section_move(letter=letter, section=pending, direction="up", actor=world.lead_officer)
    rs.section_move(letter=letter, section=second, direction="up", actor=world.lead_officer)
    order = list(letter_sections(letter).filter(recommendation__ordinal=1))
    assert order == [second, first, pending]
    assert [s.position for s in order] == [1, 2, 3]


# ---------------------------------------------------------------- permissions


@pytest.fixture
def outsider(world):
    return user_in(AgencyFactory(code="outside", short_name="市外单位"), "approver")


def test_an_officer_cannot_approve_or_sign(client, world):
    proposal = world.assigned()
    section = section_of(world, proposal, world.lead, state="submitted")
    _p, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    login(client, world.lead_officer)
    assert client.post(url("section_approve", section.pk)).status_code == 403
    assert client.post(url("section_return", section.pk), {"reason": "x"}).status_code == 403
    refused = client.post(url("letter_sign", letter.pk), {"signed_on": SIGNED_ON})
    assert refused.status_code == 403 and "签发人" in page(refused)
    assert client.post(url("letter_return", letter.pk), {"return-reason": "x"}).status_code == 403
    section.refresh_from_db()
    letter.refresh_from_db()
    assert (section.state, letter.state) == ("submitted", "in_review")


def test_another_agency_gets_404_everywhere(client, world, outsider):
    proposal = world.assigned()
    section = section_of(world, proposal, world.lead, state="submitted")
    _p, letter = world.ready_letter()
    recommendation = proposal.recommendations.get(ordinal=1)
    login(client, outsider)
    for response in (
        client.get(url("handling", proposal.pk)),
        client.get(url("section_create", recommendation.pk)),
        client.get(url("section_edit", section.pk)),
        client.post(url("section_approve", section.pk)),
        client.post(url("letter_create", proposal.pk)),
        client.get(url("letter_detail", letter.pk)),
        client.post(url("letter_submit", letter.pk)),
        client.post(url("letter_move", letter.pk), {"section": section.pk, "direction": "up"}),
    ):
        assert response.status_code == 404
    assert "关于充分发挥行业协会作用的建议" not in page(client.get(url("inbox")))


def test_liaison_cannot_write_a_section_or_sign(client, world):
    proposal = world.assigned()
    recommendation = proposal.recommendations.get(ordinal=1)
    section = section_of(world, proposal, world.lead, state="submitted")
    _p, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    login(client, world.liaison)
    # Liaison staff read everything…
    assert client.get(url("handling", proposal.pk)).status_code == 200
    assert client.get(url("letter_detail", letter.pk)).status_code == 200
    # …but write no section and sign nothing.
    assert client.get(url("section_create", recommendation.pk)).status_code == 403
    posted = client.post(url("section_create", recommendation.pk), {"adoption": adoption().pk, "body": "x"})
    assert posted.status_code == 403 and "经办人和签发人" in page(posted)
    assert client.get(url("section_edit", section.pk)).status_code == 403
    assert client.post(url("section_approve", section.pk)).status_code == 403
    assert client.post(url("letter_sign", letter.pk), {"signed_on": SIGNED_ON}).status_code == 403
    letter.refresh_from_db()
    assert letter.state == "in_review" and Section.objects.count() == 3


def test_a_co_handler_reads_the_lead_letter_only_once_signed_and_never_changes_it(client, world):
    _p, letter = world.ready_letter()
    login(client, world.co_officer)
    assert client.get(url("letter_detail", letter.pk)).status_code == 404
    fields = {"title": "x", "addressee": "x", "signatory": "x", "disclosure": "主动公开",
              "version": letter.version}
    assert client.post(url("letter_update", letter.pk), fields).status_code == 404
    assert client.post(url("letter_submit", letter.pk)).status_code == 404
    assert client.post(url("letter_create", letter.proposal.pk)).status_code == 403
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    rs.letter_sign(letter=letter, actor=world.lead_approver)
    html = page(client.get(url("letter_detail", letter.pk)))
    assert letter.title in html and url("letter_update", letter.pk) not in html


def test_anonymous_users_are_sent_to_log_in(client, world):
    _p, letter = world.ready_letter()
    section = Section.objects.first()
    login(client, None)
    for response in (
        client.get(url("handling", letter.proposal.pk)),
        client.get(url("section_edit", section.pk)),
        client.post(url("section_approve", section.pk)),
        client.get(url("letter_detail", letter.pk)),
        client.post(url("letter_sign", letter.pk)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    section.refresh_from_db()
    assert section.state == "approved"


def test_actions_take_post_only(client, world):
    _p, letter = world.ready_letter()
    login(client, world.lead_approver)
    assert client.get(url("letter_submit", letter.pk)).status_code == 405
    assert client.get(url("section_approve", Section.objects.first().pk)).status_code == 405


# ---------------------------------------------------------------- query counts


def count_queries(client, path) -> int:
    client.get(path)  # warm caches (content types, sessions) before counting
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def busy_proposal(world, recommendations=2):
    """A proposal with the co-handler's and the lead's sections in every state and a draft letter."""
    proposal = world.assigned(recommendations=recommendations)
    for recommendation in proposal.recommendations.all():
        world.approved_section(recommendation, world.lead)
        world.approved_section(recommendation, world.co, "in_progress")
    section_of(world, proposal, world.co, 1, state="submitted")
    section_of(world, proposal, world.lead, 1, state="draft")
    rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    return proposal


def add_proposals(world, n):
    for _ in range(n):
        busy_proposal(world)


def test_the_inbox_query_count_does_not_grow_with_proposals(client, world):
    add_proposals(world, 3)
    login(client, world.lead_approver)
    few = count_queries(client, url("inbox"))
    add_proposals(world, 9)
    assert len(client.get(url("inbox")).context["entries"]) == 12
    assert count_queries(client, url("inbox")) == few


def test_the_letter_page_query_count_does_not_grow_with_parts_or_proposals(client, world):
    small = busy_proposal(world, recommendations=3)
    add_proposals(world, 2)
    login(client, world.lead_officer)
    few = count_queries(client, url("letter_detail", small.letters.get().pk))
    large = busy_proposal(world, recommendations=12)
    add_proposals(world, 8)
    assert count_queries(client, url("letter_detail", large.letters.get().pk)) == few
    assert count_queries(client, url("letter_detail", small.letters.get().pk)) == few


def test_the_handling_page_query_count_does_not_grow_with_sections(client, world):
    small = busy_proposal(world, recommendations=3)
    login(client, world.lead_officer)
    few = count_queries(client, url("handling", small.pk))
    large = busy_proposal(world, recommendations=12)
    assert count_queries(client, url("handling", large.pk)) == few


def test_every_agency_page_answers_in_chinese_with_its_stylesheet(client, world, answered):
    proposal, first, _second = answered
    letter = rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)
    login(client, world.lead_officer)
    for path in (url("inbox"), url("handling", proposal.pk), url("letter_detail", letter.pk),
                 url("section_create", first.recommendation.pk)):
        html = page(client.get(path))
        assert "css/agency.css" in html and "vendor/htmx.min.js" in html
        assert "http://" not in html.replace("http://testserver", "")


def test_the_inbox_filters_by_words_role_and_urgency(client, world):
    from django.utils import timezone

    from proposals import services as ps

    late = world.assigned(title="关于逾期事项的建议")
    soon = world.assigned(title="关于将到期事项的建议")
    today = timezone.localdate()
    ps.assignment_change_due(assignment=soon.assignments.get(agency=world.lead),
                             due_on=today + datetime.timedelta(days=3), actor=world.liaison, reason="调整")
    client.force_login(world.lead_officer)
    inbox = reverse("replies:inbox")
    page = client.get(inbox, {"urgency": "overdue"}).content.decode()
    assert late.title in page and soon.title not in page
    page = client.get(inbox, {"urgency": "soon"}).content.decode()
    assert soon.title in page and late.title not in page
    page = client.get(inbox, {"q": "将到期"}).content.decode()
    assert soon.title in page and late.title not in page
    page = client.get(inbox, {"role": "co"}).content.decode()
    assert "没有符合条件的提案" in page
    page = client.get(inbox).content.decode()
    assert "共 2 件" in page


def test_signing_a_letter_someone_returned_meanwhile_says_so(client, world):
    proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    rs.letter_return(letter=letter, actor=world.lead_approver, reason="请补充联系人")
    client.force_login(world.lead_approver)
    response = client.post(reverse("replies:letter_sign", args=[letter.pk]),
                           {"signed_on": "2023-07-07"}, follow=True)
    page = response.content.decode()
    assert "不能签发" in page and "草稿" in page
    letter.refresh_from_db()
    assert letter.state == "draft" and letter.number is None


def test_signing_may_carry_a_comment_kept_in_the_history(client, world):
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    login(client, world.lead_approver)
    assert 'name="comment"' in page(client.get(url("letter_detail", letter.pk)))
    response = client.post(url("letter_sign", letter.pk),
                           {"signed_on": SIGNED_ON, "comment": "同意签发，请办公室尽快印发。"}, follow=True)
    letter.refresh_from_db()
    assert letter.state == "signed"
    signed = [row for row in history_of(letter) if row.action == "sign"]
    assert [row.reason for row in signed] == ["同意签发，请办公室尽快印发。"]
    assert "同意签发，请办公室尽快印发。" in page(response)


def test_a_comment_too_long_is_refused_and_nothing_is_signed(client, world):
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    login(client, world.lead_approver)
    response = client.post(url("letter_sign", letter.pk), {"signed_on": SIGNED_ON, "comment": "意" * 2001})
    assert response.status_code == 200 and "内容过长" in page(response)
    letter.refresh_from_db()
    assert letter.state == "in_review"
