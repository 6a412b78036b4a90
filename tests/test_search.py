"""Search: terms, queries and highlighting; what a word finds, in which order, for whom;
the index kept current by the services; the rebuild command; the page; the GIN index."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import services as ps
from replies import services as rs
from search import services as ss
from search.analysis import (
    QueryTooShort,
    bigrams,
    fold,
    highlight,
    parse_query,
    snippet,
    terms_vector,
)
from search.models import SearchEntry
from search.selectors import TITLE_BONUS, search
from tests import factories
from tests.factories import AgencyFactory, user_in

Kind = SearchEntry.Kind


# ---------------------------------------------------------------- terms and queries


def test_a_run_of_chinese_characters_gives_its_bigrams():
    assert bigrams("养老服务") == ["养老", "老服", "服务"]
    assert bigrams("发展养老，服务业") == ["发展", "展养", "养老", "服务", "务业"]
    assert bigrams("第 132020 号 PDF") == ["132020", "pdf"]
    assert bigrams("一") == []


def test_folding_makes_full_width_and_upper_case_letters_plain():
    assert fold("ＰＤＦ文件 Ab") == "pdf文件 ab"


def test_terms_take_positions_with_a_gap_after_every_run_and_the_weight_of_their_part():
    # 养老 at 1; the comma ends the run (2 stays empty); 服务 at 3; the body starts after a gap.
    assert terms_vector(("A", "养老，服务"), ("D", "养老院")) == (
        "'养老':1A,5D '服务':3A '老院':6D"
    )


def test_a_query_is_read_word_by_word():
    query = parse_query("  养老服务   协会 养老服务 ")
    assert query.words == ["养老服务", "协会"]
    assert query.tsquery() == "('养老' <-> '老服' <-> '服务') & '协会'"
    assert query.rank_tsquery() == "'养老' | '老服' | '服务' | '协会'"
    assert query.text_words() == []


def test_latin_words_match_word_beginnings_and_mixed_words_are_checked_in_the_text():
    query = parse_query("PDF 2023年 养")
    assert query.words == ["pdf", "2023年", "养"]
    assert query.tsquery() == "'pdf':* & '2023':*"
    assert query.text_words() == ["2023年", "养"]


def test_an_empty_query_has_no_words_and_a_one_character_query_is_too_short():
    assert parse_query("   ").words == []
    with pytest.raises(QueryTooShort):
        parse_query("协")
    with pytest.raises(QueryTooShort):
        parse_query("协 会")


def test_highlighting_escapes_the_text_and_marks_every_occurrence():
    marked = highlight('<b>养老</b>服务 & "养老"', ["养老"])
    assert marked == (
        "&lt;b&gt;<mark>养老</mark>&lt;/b&gt;服务 &amp; &quot;<mark>养老</mark>&quot;"
    )
    assert highlight("ＰＤＦ文件", ["pdf"]) == "<mark>ＰＤＦ</mark>文件"
    assert highlight("养老服务", ["养老", "老服"]) == "<mark>养老服</mark>务"


def test_a_snippet_is_cut_around_the_first_hit():
    text = "甲" * 100 + "行业协会" + "乙" * 100 + "协会<script>"
    cut = snippet(text, ["协会"], before=10, length=30)
    assert cut == "…" + "甲" * 8 + "行业<mark>协会</mark>" + "乙" * 18 + "…"
    assert snippet("没有命中的<正文>", ["协会"]) == "没有命中的&lt;正文&gt;"


# ---------------------------------------------------------------- finding


@pytest.fixture
def committed(django_capture_on_commit_callbacks, caplog):
    """Run what the services leave for the commit (the index refreshes) as a commit
    would, and fail if one of them raised."""
    def run(action, *args, **kwargs):
        with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
            result = action(*args, **kwargs)
        errors = [r for r in caplog.records if "on_commit" in r.getMessage()]
        assert not errors, errors[0].getMessage()
        return result
    return run


def titles(results) -> list[str]:
    return [entry.title for entry in results]


def log(world, committed, title, body="", **kwargs):
    return committed(world.proposal, title=title, body=body, recommendations=0, **kwargs)


@pytest.fixture
def library(world, committed):
    """Proposals about trade associations and elderly care, and one about neither."""
    return {
        "associations": log(world, committed, "关于发挥行业协会作用的建议", "鼓励行业协会参与标准制定。"),
        "care": log(world, committed, "关于发展养老服务业的建议", "加快发展养老服务业，扩大养老服务供给。"),
        # 养老, 老服 and 服务 are all here, but never one after another.
        "apart": log(world, committed, "关于社区建设的建议", "新建养老机构，回收老服装，完善社区服务设施。"),
        "chamber": log(world, committed, "关于支持商会发展的建议", "商会协会并举。"),
        "bikes": log(world, committed, "关于优化公共自行车站点的建议", "按客流调整站点。"),
    }


@pytest.mark.parametrize("word, expected", [
    ("协会", {"关于发挥行业协会作用的建议", "关于支持商会发展的建议"}),
    ("养老", {"关于发展养老服务业的建议", "关于社区建设的建议"}),
    # 养老 and 服务 apart (养老机构 … 社区服务) are not 养老服务.
    ("养老服务", {"关于发展养老服务业的建议"}),
    ("养老 社区", {"关于社区建设的建议"}),
    ("自行车", {"关于优化公共自行车站点的建议"}),
    ("电梯", set()),
])
def test_a_word_finds_what_contains_it_and_nothing_else(world, library, word, expected):
    found = search(world.liaison, word, kind=Kind.PROPOSAL)
    assert set(titles(found)) == expected


def test_one_lone_character_beside_a_word_must_be_there_too(world, library):
    assert titles(search(world.liaison, "养老 院", kind=Kind.PROPOSAL)) == []
    assert titles(search(world.liaison, "养老 机", kind=Kind.PROPOSAL)) == ["关于社区建设的建议"]


def test_a_word_without_bigrams_is_found_by_scanning_the_text(world, committed):
    log(world, committed, "关于完善垃圾分类的建议", "（一）完善分类设施。（二）加强宣传。")
    log(world, committed, "关于治理河道的建议", "一是清淤，二是截污。")
    # （一） folds to (一): no run of two characters, no Latin word, so no term to look up.
    assert parse_query("（一）").indexed is False
    assert titles(search(world.liaison, "（一）")) == ["关于完善垃圾分类的建议"]


def test_the_keywords_find_a_proposal_by_its_number_and_proposer(world, committed):
    proposal = log(world, committed, "关于加强河道治理的建议",
                   proposers=[{"name": "九三学社测试市委会", "kind": "party"}])
    assert titles(search(world.liaison, proposal.number)) == ["关于加强河道治理的建议"]
    assert titles(search(world.liaison, "九三学社")) == ["关于加强河道治理的建议"]


def test_results_are_ranked_by_occurrences_with_the_title_first(world, committed):
    log(world, committed, "关于慈善的建议", "慈善")                    # title + 2 occurrences
    log(world, committed, "关于社会救助的建议", "慈善事业、慈善组织、慈善信托")  # 3 occurrences
    log(world, committed, "关于志愿服务的建议", "慈善")                # 1 occurrence
    found = list(search(world.liaison, "慈善"))
    assert titles(found) == ["关于慈善的建议", "关于社会救助的建议", "关于志愿服务的建议"]
    if connection.vendor != "postgresql":
        # The plain score: occurrences, and TITLE_BONUS for a hit in the title.
        assert [e.score for e in found] == [TITLE_BONUS + 2, 3, 1]


def test_a_kind_keeps_one_kind_of_result(world, committed):
    proposal = committed(world.assigned, title="关于扶持行业协会的建议", recommendations=1)
    recommendation = proposal.recommendations.get()
    committed(rs.section_create, recommendation=recommendation, agency=world.lead,
              actor=world.lead_officer, adoption="adopted", body="支持行业协会承接政府职能。")
    assert {e.kind for e in search(world.liaison, "行业协会")} == {Kind.PROPOSAL, Kind.SECTION}
    assert [e.kind for e in search(world.liaison, "行业协会", kind=Kind.SECTION)] == [Kind.SECTION]
    assert search(world.liaison, "行业协会", kind="nonsense").count() == 2


# ---------------------------------------------------------------- who finds what


@pytest.fixture
def handled(world, committed):
    """A proposal handled by the lead and the co-handler, with sections in every state and
    a draft letter; and a proposal assigned only to a third agency."""
    proposal = committed(world.assigned, title="关于培育行业协会的建议", recommendations=3)
    r1, r2, r3 = proposal.recommendations.order_by("ordinal")
    sections = {}
    for agency, staff, key in (
        (world.lead, {"officer": world.lead_officer, "approver": world.lead_approver}, "lead"),
        (world.co, {"officer": world.co_officer, "approver": world.co_approver}, "co"),
    ):
        for recommendation, state in ((r1, "draft"), (r2, "submitted"), (r3, "approved")):
            sections[f"{key}_{state}"] = committed(
                factories.section_by, recommendation, agency, state,
                body=f"行业协会{key}_{state}意见", **staff)
    third = AgencyFactory(code="third", short_name="市第三局")
    other = committed(factories.proposal_for, world, third, title="关于规范行业协会收费的建议")
    return {"proposal": proposal, "sections": sections, "third": third, "other": other}


SECTIONS_SEEN = {
    "liaison": {"lead_draft", "lead_submitted", "lead_approved", "co_draft", "co_submitted", "co_approved"},
    "office": {"lead_submitted", "lead_approved", "co_submitted", "co_approved"},
    "lead_officer": {"lead_draft", "lead_submitted", "lead_approved", "co_submitted", "co_approved"},
    "co_approver": {"co_draft", "co_submitted", "co_approved", "lead_submitted", "lead_approved"},
}


@pytest.mark.parametrize("role", sorted(SECTIONS_SEEN))
def test_each_user_finds_only_the_sections_they_may_read(world, handled, role):
    user = getattr(world, role)
    found = search(user, "行业协会", kind=Kind.SECTION)
    assert {e.text.removeprefix("行业协会").removesuffix("意见") for e in found} == SECTIONS_SEEN[role]


def test_agency_staff_find_only_the_proposals_assigned_to_their_agency(world, handled):
    other = handled["other"].title
    assert other in titles(search(world.liaison, "行业协会", kind=Kind.PROPOSAL))
    assert other in titles(search(world.office, "行业协会", kind=Kind.PROPOSAL))
    for user in (world.lead_officer, world.co_approver):
        found = titles(search(user, "行业协会"))
        assert other not in found and "关于培育行业协会的建议" in found
    third_officer = user_in(handled["third"], "officer")
    assert titles(search(third_officer, "培育")) == []
    assert titles(search(third_officer, "规范行业协会", kind=Kind.PROPOSAL)) == [other]
    nobody = factories.UserFactory(username="nobody")
    assert list(search(nobody, "行业协会")) == []


def test_a_draft_letter_stays_inside_its_agency_until_signed(world, committed):
    proposal = committed(world.assigned, title="关于发展民宿经济的建议", recommendations=1)
    committed(world.approved_section, proposal.recommendations.get(), world.lead, body="民宿经济已列入规划。")
    letter = committed(rs.letter_create, proposal=proposal, agency=world.lead, actor=world.lead_officer)
    for user, sees in ((world.liaison, True), (world.lead_officer, True), (world.co_officer, False),
                       (world.office, False)):
        assert search(user, "民宿", kind=Kind.LETTER).exists() == sees
    committed(rs.letter_submit, letter=letter, actor=world.lead_officer)
    committed(rs.letter_sign, letter=letter, actor=world.lead_approver)
    for user in (world.co_officer, world.office):
        assert search(user, "民宿", kind=Kind.LETTER).exists()


# ---------------------------------------------------------------- kept current


def test_the_index_follows_every_change(world, committed):
    proposal = committed(world.assigned, title="关于建设智慧停车场的建议", recommendations=1)
    assert titles(search(world.liaison, "停车场", kind=Kind.PROPOSAL)) == ["关于建设智慧停车场的建议"]
    assert titles(search(world.liaison, "第1条建议", kind=Kind.RECOMMENDATION)) == ["第1条建议的标题"]

    recommendation = proposal.recommendations.get()
    section = committed(rs.section_create, recommendation=recommendation, agency=world.lead,
                        actor=world.lead_officer, adoption="adopted", body="已新建停车位三千个。")
    assert search(world.liaison, "停车位").count() == 1
    committed(rs.section_update, section=section, actor=world.lead_officer, body="已新建充电桩五百个。")
    assert search(world.liaison, "停车位").count() == 0
    assert search(world.liaison, "充电桩", kind=Kind.SECTION).count() == 1

    committed(rs.section_submit, section=section, actor=world.lead_officer)
    committed(rs.section_approve, section=section, actor=world.lead_approver)
    letter = committed(rs.letter_create, proposal=proposal, agency=world.lead, actor=world.lead_officer)
    assert not search(world.liaison, "充电桩", kind=Kind.LETTER).exists()  # parts are fixed at signing
    committed(rs.letter_update, letter=letter, actor=world.lead_officer, note="联系人：停车管理科")
    assert search(world.liaison, "停车管理科", kind=Kind.LETTER).exists()
    committed(rs.letter_submit, letter=letter, actor=world.lead_officer)
    letter = committed(rs.letter_sign, letter=letter, actor=world.lead_approver)
    found = search(world.liaison, "充电桩", kind=Kind.LETTER).get()
    assert found.object_id == letter.pk
    assert search(world.liaison, letter.number.split("〔")[0], kind=Kind.LETTER).exists()


def test_editing_a_proposal_refreshes_it_and_drops_removed_recommendations(world, committed):
    proposal = committed(world.proposal, title="关于治理噪声污染的建议", recommendations=2)
    committed(ps.proposal_update, proposal=proposal, actor=world.liaison, title="关于治理光污染的建议",
              recommendations=[{"title": "规范夜间景观照明"}])
    assert titles(search(world.liaison, "噪声")) == []
    assert titles(search(world.liaison, "光污染", kind=Kind.PROPOSAL)) == ["关于治理光污染的建议"]
    entries = SearchEntry.objects.filter(proposal=proposal, kind=Kind.RECOMMENDATION)
    assert [e.title for e in entries] == ["规范夜间景观照明"]


def test_an_import_indexes_what_it_wrote(db, committed):
    from proposals.interchange import import_bytes
    from proposals.models import Proposal

    committed(import_bytes, (Path(settings.BASE_DIR) / "docs/examples/proposal-132020.json").read_bytes())
    proposal = Proposal.objects.get(number="132020")
    kinds = set(SearchEntry.objects.filter(proposal=proposal).values_list("kind", flat=True))
    assert kinds == {Kind.PROPOSAL, Kind.RECOMMENDATION, Kind.SECTION, Kind.LETTER}
    letter = search(factories.superuser(), "中工商联函", kind=Kind.LETTER).get()
    assert "中工商联函〔2023〕11号" in letter.keywords


def test_the_rebuild_command_indexes_everything_and_prints_the_counts(world):
    # Built without running the commit hooks: nothing is indexed yet.
    proposal, _letter = world.signed_letter(world.assigned(recommendations=3))
    world.proposal(recommendations=2)
    assert not SearchEntry.objects.exists()
    out = io.StringIO()
    call_command("search_index", "--rebuild", stdout=out)
    assert out.getvalue().splitlines() == [
        "rebuilt the search index", "proposal: 2", "recommendation: 5", "section: 3",
        "letter: 1", "total: 11",
    ]
    out = io.StringIO()
    call_command("search_index", stdout=out)
    assert out.getvalue().splitlines()[-1] == "total: 11"
    assert search(world.liaison, "第3条建议", kind=Kind.RECOMMENDATION).count() == 1
    call_command("search_index", "--rebuild", stdout=io.StringIO())
    assert SearchEntry.objects.count() == 11


# ---------------------------------------------------------------- the page


def test_the_page_shows_ranked_highlighted_results_with_links(client, world, library):
    client.force_login(world.liaison)
    response = client.get(reverse("search:results"), {"q": "养老服务"})
    assert response.status_code == 200
    body = response.content.decode()
    care = library["care"]
    assert f'href="{reverse("proposals:detail", args=[care.pk])}"' in body
    assert "关于发展<mark>养老服务</mark>业的建议" in body
    assert "加快发展<mark>养老服务</mark>业，扩大<mark>养老服务</mark>供给。" in body
    assert "共找到 1 条结果" in body


def test_the_page_escapes_what_it_shows(client, world, committed):
    log(world, committed, "关于<script>alert(1)</script>网络安全的建议", "网络安全<b>宣传</b>")
    client.force_login(world.liaison)
    body = client.get(reverse("search:results"), {"q": "网络安全"}).content.decode()
    assert "<script>alert" not in body and "<b>宣传" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>网络安全</mark>" in body
    assert "<mark>网络安全</mark>&lt;b&gt;宣传&lt;/b&gt;" in body


def test_the_page_explains_an_empty_or_too_short_query(client, world, library):
    client.force_login(world.lead_officer)
    assert "请输入要查找的词语" in client.get(reverse("search:results")).content.decode()
    body = client.get(reverse("search:results"), {"q": "协"}).content.decode()
    assert "请输入至少两个字的词语" in body and "search-result" not in body


def test_links_lead_to_each_kind_of_page(client, world, committed):
    proposal = committed(world.assigned, title="关于加强湿地保护的建议", recommendations=1)
    recommendation = proposal.recommendations.get()
    section = committed(world.approved_section, recommendation, world.lead, body="湿地保护已纳入规划。")
    letter = committed(rs.letter_create, proposal=proposal, agency=world.lead, actor=world.lead_officer)
    committed(rs.letter_update, letter=letter, actor=world.lead_officer, note="湿地保护科")
    client.force_login(world.lead_officer)
    body = client.get(reverse("search:results"), {"q": "湿地"}).content.decode()
    assert reverse("proposals:detail", args=[proposal.pk]) in body
    assert reverse("replies:handling", args=[proposal.pk]) + f"#section-{section.pk}" in body
    assert reverse("replies:letter_detail", args=[letter.pk]) in body
    for kind, count in (("proposal", 1), ("section", 1), ("letter", 1)):
        page = client.get(reverse("search:results"), {"q": "湿地", "kind": kind}).content.decode()
        assert f"共找到 {count} 条结果" in page


def test_the_page_reads_the_same_number_of_times_however_many_results(client, world, committed):
    client.force_login(world.lead_officer)

    def queries(q):
        client.get(reverse("search:results"), {"q": q})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("search:results"), {"q": q})
        assert response.status_code == 200
        return len(captured), response.content.decode().count('class="search-result"')

    for i in range(3):
        committed(factories.proposal_for, world, world.lead, title=f"关于发展夜间经济的建议{i}")
    for i in range(25):
        committed(factories.proposal_for, world, world.lead, title=f"关于发展会展经济的建议{i}")
    few, shown_few = queries("夜间经济")
    many, shown_many = queries("会展经济")
    assert (shown_few, shown_many) == (3, 20)  # 20 a page
    assert few == many


def test_the_header_has_a_search_box_for_signed_in_users(client, world):
    assert 'role="search"' not in client.get(reverse("login")).content.decode()
    client.force_login(world.co_officer)
    body = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("search:results")}"' in body


# ---------------------------------------------------------------- PostgreSQL: the GIN index


@pytest.mark.postgres
@pytest.mark.parametrize("word", ["协会", "行业协会"])
def test_the_query_plan_uses_the_gin_index(world, word):
    """With 5,000 entries, one in a thousand holding the word, the planner's own choice (no
    setting changed) for the search's own SQL is a scan of the GIN index search_entry_terms,
    never a sequential scan of the entries, for a two- and a four-character word; the
    results are exact."""
    proposal = world.proposal(recommendations=0)
    filler = "推进城市更新改造提升公共服务水平完善基础设施建设"
    entries = [
        ss.entry(Kind.RECOMMENDATION, 100_000 + i, proposal, title=f"第{i}条",
                 text=filler + ("扶持行业协会发展" if i % 1000 == 0 else "鼓励企业创新"))
        for i in range(5000)
    ]
    SearchEntry.objects.bulk_create(entries)
    with connection.cursor() as cursor:
        # What autovacuum does: move the rows just added from GIN's pending list into the
        # index proper, and gather the statistics the planner reads.
        cursor.execute("SELECT gin_clean_pending_list('search_entry_terms')")
        cursor.execute("ANALYZE search_searchentry")
    results = search(world.liaison, word)
    sql, params = results.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on search_entry_terms" in plan, plan
    assert "Seq Scan on search_searchentry" not in plan, plan
    assert sorted(e.object_id for e in results) == [100_000 + i for i in range(0, 5000, 1000)]


# ---------------------------------------------------------------- many results, and the cache


def test_many_results_rank_the_most_recent_and_say_so(client, world, committed, monkeypatch):
    from search import selectors

    older = [log(world, committed, f"关于发展夜间经济的建议（{i}）") for i in range(3)]
    newest = log(world, committed, "关于发展夜间经济夜间经济的建议")
    monkeypatch.setattr(selectors, "RESULT_LIMIT", 2)
    found = list(search(world.liaison, "夜间经济"))
    # the two most recent entries, the one naming the words twice first
    assert [e.proposal_id for e in found] == [newest.pk, older[2].pk]
    client.force_login(world.liaison)
    body = client.get(reverse("search:results"), {"q": "夜间经济"}).content.decode()
    assert body.count('class="search-result"') == 2
    assert "结果很多，列出最近的 2 条" in body
    assert '<span class="search-tabs__count">4</span>' in body  # the counts stay exact


def test_liaison_results_are_kept_until_the_index_changes(client, world, committed, settings):
    settings.SEARCH_CACHE_SECONDS = 60
    cache.clear()  # nothing kept by an earlier test
    log(world, committed, "关于建设口袋公园的建议")
    client.force_login(world.liaison)

    def shown() -> tuple[str, int]:
        body = client.get(reverse("search:results"), {"q": "口袋公园"}).content.decode()
        return body.count('class="search-result"'), body.count("共找到 2 条结果")

    assert shown() == (1, 0)
    second = log(world, committed, "关于口袋公园养护的建议")  # indexed: the kept results are over
    assert shown() == (2, 1)
    SearchEntry.objects.filter(proposal=second).delete()  # behind the index's back
    assert shown() == (1, 1)  # the kept ranking still counts it; the gone entry is left out
    committed(ss.rebuild_all)
    assert shown() == (2, 1)


def test_results_of_agency_staff_are_never_kept(client, world, committed, settings):
    settings.SEARCH_CACHE_SECONDS = 60
    cache.clear()
    committed(factories.proposal_for, world, world.lead, title="关于建设口袋公园的建议")
    client.force_login(world.lead_officer)
    url = reverse("search:results")
    assert client.get(url, {"q": "口袋公园"}).content.decode().count('class="search-result"') == 1
    SearchEntry.objects.all().delete()  # unnoticed by the index: an officer's search sees it at once
    assert client.get(url, {"q": "口袋公园"}).content.decode().count('class="search-result"') == 0
