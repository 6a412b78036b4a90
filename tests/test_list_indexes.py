"""The proposal list's filters and sorts read PostgreSQL indexes: EXPLAIN on generated data.

Each filter, within a session as the list is used, must find its rows through an index
whose condition names the filtered column, and each sort, within a session and over
every session, must come out of an index with no sort step. The generated data here is
small, so sequential scans and sorts are switched off for the EXPLAIN: the planner then
shows whether an index *can* serve the query, which is what a missing index would break.
The search box's index only narrows the candidates, so a last test checks that it finds
exactly what the plain LIKE finds.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Q
from django.http import QueryDict

from demo.generate import generate
from proposals.filters import ProposalFilter
from proposals.models import Category, Proposal, Session
from proposals.selectors import proposal_list_queryset
from replies.models import ReplyLetter

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# query string (after ``session=…``) → (table, columns): an index condition on the table
# must name one of the columns. A condition on a proposal's own rows (an EXISTS) may be
# looked up from each proposal (by ``proposal_id``) or found first (by its own column),
# whichever the planner prefers for the data.
FILTERS = {
    "": ("proposals_proposal", ["session_id"]),
    "state=assigned": ("proposals_proposal", ["state"]),
    "category={category}": ("proposals_proposal", ["category_id"]),
    "is_key=1": ("proposals_proposal", ["session_id"]),  # the partial index of key proposals
    "overdue=1": ("proposals_proposal", ["unanswered_due_on", "session_id"]),
    "agency={agency}": ("proposals_assignment", ["agency_id", "proposal_id"]),
    "letter_class=A": ("replies_replyletter", ["klass", "proposal_id"]),
    "proposer=民建": ("proposals_signature", ["proposal_id", "proposer_id"]),
}
# the search box, over every session (within one the session's index may well be better)
SEARCHES = ["q=养老", "q=养老服务 建议", "q=13"]
SORTS = ["number", "-number", "submitted", "-submitted", "state", "-state", "due", "-due"]


def plan_of(query: str, session: Session | None, *, count: bool = False) -> dict:
    """The page's plan for ``query`` within ``session`` (None: every session); with
    ``count``, the plan of counting the rows found (the paginator's query)."""
    liaison = User.objects.get(username="bench-explain")
    data = QueryDict("&".join(part for part in (session and f"session={session.pk}", query) if part))
    filterset = ProposalFilter(data, queryset=proposal_list_queryset(liaison))
    assert filterset.is_valid(), filterset.errors
    found = filterset.qs.order_by().values("pk") if count else filterset.qs[:25]
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        found = cursor.fetchone()[0]
    return (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def index_conditions(plan: dict) -> list[tuple[str, str]]:
    """(table, condition) of every index lookup in the plan."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, tablename FROM pg_indexes WHERE schemaname = current_schema()")
        tables = dict(cursor.fetchall())
    return [
        (tables.get(node["Index Name"], ""), node.get("Index Cond", ""))
        for node in nodes(plan) if "Index Name" in node
    ]


def sorts(plan: dict) -> list[str]:
    """The sort steps of the list's own order (not those inside a per-row subquery)."""
    found = [plan["Node Type"]] if plan["Node Type"] in ("Sort", "Incremental Sort") else []
    for child in plan.get("Plans", []):
        if child.get("Parent Relationship") not in ("SubPlan", "InitPlan"):
            found += sorts(child)
    return found


@pytest.fixture
def generated():
    generate(proposals=300, agencies=8, seed=4)
    User.objects.create(username="bench-explain", is_superuser=True)
    session = Session.objects.order_by("-year").first()
    values = {
        "category": Category.objects.filter(proposals__session=session).first().pk,
        "agency": session.proposals.filter(assignments__isnull=False).values_list(
            "assignments__agency", flat=True).first(),
    }
    assert ReplyLetter.objects.filter(klass="A", proposal__session=session).exists()
    assert Proposal.objects.filter(session=session, is_key=True).exists()
    return session, values


def test_every_filter_finds_its_rows_through_an_index(generated):
    session, values = generated
    missing = []
    for query, (table, columns) in FILTERS.items():
        conditions = index_conditions(plan_of(query.format(**values), session))
        if not any(t == table and any(c in condition for c in columns) for t, condition in conditions):
            missing.append((query, table, columns, conditions))
    for query in SEARCHES:
        # the count: on small data the page itself may rather walk the sort's index
        conditions = index_conditions(plan_of(query, None, count=True))
        if not any("search_pairs" in condition for _table, condition in conditions):
            missing.append((query, conditions))
    assert missing == [], "\n".join(map(str, missing))


def test_counting_the_overdue_reads_the_index_of_the_dates_waited_on(generated):
    session, _values = generated
    plan = plan_of("overdue=1", session, count=True)
    assert "proposal_session_overdue" in [node.get("Index Name") for node in nodes(plan)], plan


def test_every_sort_comes_out_of_an_index(generated):
    session, values = generated
    for query in ("", "state=assigned", "category={category}", "is_key=1"):
        for sort in SORTS:
            plan = plan_of(f"{query.format(**values)}&sort={sort}".lstrip("&"), session)
            assert sorts(plan) == [], (query, sort)
    for sort in SORTS:  # the whole list, every session
        assert sorts(plan_of(f"sort={sort}", None)) == [], sort


def test_the_search_box_finds_with_the_index_what_it_finds_without(generated):
    liaison = User.objects.get(username="bench-explain")
    first = Proposal.objects.order_by("pk").first()
    Proposal.objects.filter(pk=first.pk).update(title="关于ＰＤＦ与Pdf格式的建议")
    titles = list(Proposal.objects.values_list("title", flat=True)[:40])
    words = {title[i:i + n] for title in titles for n in (1, 2, 3) for i in (0, 3, 7)}
    words |= {"pdf", "PDF", "ｐｄｆ", "Pdf格式", "13", first.number, "o'k", "a\\b", "养老 建议"}
    for word in sorted(words):
        data = QueryDict(urlencode({"q": word}))
        found = ProposalFilter(data, queryset=proposal_list_queryset(liaison)).qs
        like = Proposal.objects.all()
        for term in word.split():
            like = like.filter(Q(number__icontains=term) | Q(title__icontains=term))
        assert set(found.values_list("pk", flat=True)) == set(like.values_list("pk", flat=True)), word
