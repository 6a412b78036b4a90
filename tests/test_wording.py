"""The lead agency's letter speaks with one voice: it words each part itself, starting from
the sections, keeps per paragraph which sections it came from, and can put the sections'
text back with one click."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.workflow import ConcurrentEdit, DomainError, IllegalMove
from proposals.interchange import exporter, importer
from replies import services as rs
from replies.composition import build_parts, letter_paragraphs
from replies.models import ReplyLetter, Section
from replies.pdf.compose import letter_content

pytestmark = pytest.mark.django_db

CO_TEXT = "我局将在编制年度政府投资计划时统筹安排行业协会培育资金。"
LEAD_TEXT = "我会将积极推动行业协会做优做强。"


@pytest.fixture
def draft(world) -> ReplyLetter:
    proposal = world.assigned()
    first = proposal.recommendations.get(ordinal=1)
    world.approved_section(first, world.lead, body=LEAD_TEXT)
    world.approved_section(first, world.co, body=CO_TEXT)
    world.approved_section(proposal.recommendations.get(ordinal=2), world.lead, body="第二条已办理。")
    return rs.letter_create(proposal=proposal, agency=world.lead, actor=world.lead_officer)


def sections_of(letter):
    first = Section.objects.filter(recommendation__proposal=letter.proposal, recommendation__ordinal=1)
    return first.get(agency__code="lead"), first.get(agency__code="co")


def word(world, letter, paragraphs, **kwargs):
    return rs.letter_word_part(letter=letter, ordinal=1, paragraphs=paragraphs,
                               actor=kwargs.pop("actor", world.lead_officer), **kwargs)


def test_the_lead_rewords_a_co_handlers_section_and_keeps_its_source(world, draft):
    lead, co = sections_of(draft)
    assert CO_TEXT in letter_paragraphs(build_parts(draft)[0])[1]  # before: the co-handler's words
    draft = word(world, draft, [
        {"text": LEAD_TEXT, "sources": [lead.pk]},
        {"text": "市发改局将在编制年度政府投资计划时统筹安排行业协会培育资金。", "sources": [co.pk]},
        {"text": "我会将会同有关部门抓好落实。", "sources": []},
        {"text": "   ", "sources": [co.pk]},  # a blank box is dropped
    ])
    part = build_parts(draft)[0]
    assert [p["sources"] for p in part["paragraphs"]] == [
        [{"agency": "lead", "position": 1}], [{"agency": "co", "position": 2}], []]
    printed = letter_paragraphs(part)
    assert printed[0].startswith(part["phrase"]) and printed[0].endswith(LEAD_TEXT)
    assert not any("我局" in p for p in printed)
    content = letter_content(draft)
    assert "市发改局将在编制年度政府投资计划时统筹安排行业协会培育资金。" in content.parts[0][1]
    assert content.parts[1][1] == [build_parts(draft)[1]["phrase"] + "第二条已办理。"]  # part two untouched

    # signing fixes the wording with its sources; the export carries it and an import gives it back
    rs.letter_submit(letter=draft, actor=world.lead_officer)
    signed = rs.letter_sign(letter=draft, actor=world.lead_approver)
    assert signed.parts[0]["paragraphs"][1]["sources"] == [{"agency": "co", "position": 2}]
    data = json.loads(exporter.dumps(exporter.export_data(world.session)))
    letter = data["proposals"][0]["letter"]
    assert letter["parts"][0]["paragraphs"][2] == {"text": "我会将会同有关部门抓好落实。", "sources": []}
    importer.import_data(data)  # into the database it came from: nothing changes
    signed.refresh_from_db()
    assert signed.parts[0]["paragraphs"][2]["text"] == "我会将会同有关部门抓好落实。"
    assert json.loads(exporter.dumps(exporter.export_data(world.session))) == data


def test_reset_puts_the_sections_text_back(world, draft):
    lead, _co = sections_of(draft)
    draft = word(world, draft, [{"text": "改写的一段。", "sources": [lead.pk]}])
    draft = rs.letter_reset_part(letter=draft, ordinal=1, actor=world.lead_officer)
    assert "paragraphs" not in build_parts(draft)[0]
    assert CO_TEXT in letter_paragraphs(build_parts(draft)[0])[1]


def test_bad_wording_is_refused(world, draft):
    lead, _co = sections_of(draft)
    with pytest.raises(DomainError, match="措辞不能为空"):
        word(world, draft, [{"text": " ", "sources": []}])
    other = Section.objects.filter(recommendation__ordinal=2).first()
    with pytest.raises(DomainError, match="来源只能是"):
        word(world, draft, [{"text": "一段。", "sources": [other.pk]}])
    with pytest.raises(PermissionDenied):
        word(world, draft, [{"text": "一段。", "sources": []}], actor=world.co_officer)
    with pytest.raises(ConcurrentEdit):
        word(world, draft, [{"text": "一段。", "sources": []}], expected_version=draft.version - 1)
    with pytest.raises(DomainError, match="还没有审核通过"):
        rs.letter_word_part(letter=draft, ordinal=3, paragraphs=[{"text": "x", "sources": []}],
                            actor=world.lead_officer)
    rs.letter_submit(letter=draft, actor=world.lead_officer)
    with pytest.raises(IllegalMove, match="只有草稿可以修改措辞"):
        word(world, draft, [{"text": "一段。", "sources": [lead.pk]}])
    draft.refresh_from_db()
    assert draft.wording == {}


def test_the_pages_word_a_part_and_show_the_sources_to_lead_and_liaison(client, world, draft):
    lead, co = sections_of(draft)
    client.force_login(world.lead_officer)
    page = client.get(reverse("replies:letter_detail", args=[draft.pk])).content.decode()
    edit = reverse("replies:letter_part", args=[draft.pk, 1])
    assert edit in page
    form = client.get(edit).content.decode()
    assert CO_TEXT in form and 'name="p-TOTAL_FORMS" value="3"' in form  # two paragraphs and a blank one
    response = client.post(edit, {
        "p-TOTAL_FORMS": "2", "p-INITIAL_FORMS": "2", "version": str(draft.version),
        "p-0-text": LEAD_TEXT, "p-0-sources": [str(lead.pk)],
        "p-1-text": "市发改局将统筹安排培育资金。", "p-1-sources": [str(co.pk)],
    })
    assert response.status_code == 302 and response["Location"].endswith("#part-ordinal-1")
    page = client.get(reverse("replies:letter_detail", args=[draft.pk])).content.decode()
    assert "市发改局将统筹安排培育资金。" in page and "来源：市民政局" in page
    assert "措辞中没有引用" not in page
    client.post(edit, {"p-TOTAL_FORMS": "1", "p-INITIAL_FORMS": "1", "version": str(draft.version + 1),
                       "p-0-text": LEAD_TEXT, "p-0-sources": [str(lead.pk)]})
    page = client.get(reverse("replies:letter_detail", args=[draft.pk])).content.decode()
    assert "措辞中没有引用以下审核通过的办理意见：市民政局" in page  # the co-handler's section left out
    draft.refresh_from_db()
    stale = client.post(edit, {"p-TOTAL_FORMS": "1", "p-INITIAL_FORMS": "1", "version": str(draft.version - 1),
                               "p-0-text": "旧页面上的改动。"})
    assert "已被他人修改" in stale.content.decode()

    client.force_login(world.liaison)
    page = client.get(reverse("replies:letter_detail", args=[draft.pk])).content.decode()
    assert "来源：市工商联" in page and "措辞中没有引用" in page
    refused = client.post(edit, {"p-TOTAL_FORMS": "1", "p-INITIAL_FORMS": "1", "version": "99",
                                 "p-0-text": "提案委不能改。"})
    assert "只有市工商联的工作人员可以修改" in refused.content.decode()

    client.force_login(world.lead_officer)
    draft.refresh_from_db()
    response = client.post(reverse("replies:letter_part_reset", args=[draft.pk, 1]),
                           {"version": str(draft.version)})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.wording == {}
    assert client.get(reverse("replies:letter_part", args=[draft.pk, 10**12])).status_code == 404
