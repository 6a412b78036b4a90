"""``load_demo``: the example letter, every proposal state, users who can sign in, and idempotence."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from demo.data import PASSWORD
from demo.dates import STORY_TODAY
from history.models import StateChange
from proposals.models import Assignment, Proposal, ReleaseRequest
from replies.models import DocumentCounter, ReplyLetter, Section
from replies.services import letter_store_pdf

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = [
    "admin", "liaison", "office",
    *(f"{code}-{role}" for code in ("gsl", "mzj", "gxj", "fgj", "tcj")
      for role in ("officer", "approver")),
]


def load() -> str:
    out = StringIO()
    # as of the story's own week, so that its dates are the ones written in it
    call_command("load_demo", as_of=STORY_TODAY, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every row of every model, as values, so any change at all shows up."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
    }


def test_second_run_creates_and_changes_nothing():
    first_output = load()
    before = snapshot()
    history = StateChange.objects.count()
    second_output = load()

    assert snapshot() == before
    assert StateChange.objects.count() == history
    assert "第132020号提案" in first_output
    assert "未作任何修改" in second_output


def test_every_model_of_the_project_has_demo_rows():
    load()
    for label in ("agencies", "proposals", "replies"):
        for model in apps.get_app_config(label).get_models():
            assert model._default_manager.exists(), model._meta.label


def test_the_example_letter():
    load()
    letter = ReplyLetter.objects.select_related("proposal", "agency", "signed_by").get(
        number="中工商联函〔2023〕11号"
    )
    assert letter.agency.code == "gsl"
    assert letter.klass == "A"
    assert letter.state == ReplyLetter.State.ISSUED
    assert letter.signed_on == datetime.date(2023, 7, 7)
    assert letter.issued_on == datetime.date(2023, 7, 7)
    assert letter.signed_by.username == "gsl-approver"
    assert letter.title == "中山市工商联关于市政协十三届二次会议第132020号提案答复的函"
    assert letter.addressee == "民建中山市委会"
    assert "经综合市民政局、市工业和信息化局、市发展和改革局、市投资促进局意见" in letter.opening
    assert letter.note == "（联系人及电话：何少荣，18824982023，88223809）"
    assert letter.disclosure == "主动公开"
    assert letter.cc == ["市政协提案委", "市政府办公室", "市民政局", "市工信局", "市发改局", "市投促局"]
    assert DocumentCounter.objects.get(prefix="中工商联函", year=2023).last_serial == 11
    # stored, it is signed digitally with the demo CA's certificate for the agency
    assert len(letter.verify_code) == 8
    stored = letter_store_pdf(letter=letter)
    assert stored.signature_level == "B-B" and letter.agency.name in stored.signature_subject

    headings = [part["heading"] for part in letter.parts]
    assert [h[:2] for h in headings] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert headings[0] == "一、关于做优做强行业协会，促进其“强筋健体”的建议"
    assert headings[5] == "六、关于提高政治参与度，探索创新参与社会治理的建议"
    assert all(part["phrase"] == "吸收采纳该项建议。" for part in letter.parts)
    agencies = [[s["agency"] for s in part["sections"]] for part in letter.parts]
    assert agencies == [["mzj"], ["gsl"], ["gxj", "gsl"], ["tcj"], ["mzj"], ["gsl"]]
    assert all(0 < len(s["body"]) < 120 for part in letter.parts for s in part["sections"])

    proposal = letter.proposal
    assert proposal.number == "132020"
    assert proposal.state == Proposal.State.REPLIED
    assert proposal.lead_proposer.name == "民建中山市委会"
    assert proposal.category.name == "经济建设"
    roles = {a.agency.code: (a.role, a.assigned_on, a.due_on)
             for a in proposal.assignments.select_related("agency")}
    assert roles["gsl"] == ("lead", datetime.date(2023, 3, 1), datetime.date(2023, 6, 1))
    for code in ("mzj", "gxj", "fgj", "tcj"):
        assert roles[code] == ("co", datetime.date(2023, 3, 1), datetime.date(2023, 4, 1))


def test_the_history_shows_who_did_what():
    load()
    assert not StateChange.objects.filter(actor__isnull=True).exists()
    proposal = Proposal.objects.get(number="132020")
    moves = [(h.action, h.actor.username) for h in proposal.history.select_related("actor")]
    assert moves[:3] == [("create", "liaison"), ("register", "liaison"), ("assign", "liaison")]
    assert ("submit", "mzj-officer") in moves
    assert ("approve", "mzj-approver") in moves
    assert ("sign", "gsl-approver") in moves
    assert moves[-2:] == [("reply", "gsl-approver"), ("issue", "office")]


def test_every_proposal_state_appears():
    load()
    states = set(Proposal.objects.values_list("state", flat=True))
    assert states == set(Proposal.State.values)
    assert Proposal.objects.filter(state=Proposal.State.SUBMITTED).count() >= 2
    assert Proposal.objects.filter(is_key=True).exists()
    assert Proposal.objects.count() >= 13
    leads = Assignment.objects.filter(role=Assignment.Role.LEAD).values("agency").distinct()
    assert leads.count() >= 4

    assert set(Section.objects.values_list("state", flat=True)) == set(Section.State.values)
    returned = StateChange.objects.get(action="return", content_type__model="section")
    assert returned.reason
    assert Section.objects.get(pk=returned.object_id).state == Section.State.DRAFT
    letter_states = set(ReplyLetter.objects.values_list("state", flat=True))
    assert {"draft", "in_review", "signed", "issued"} <= letter_states

    closed = Proposal.objects.get(state=Proposal.State.CLOSED)
    assert closed.feedback.get().result == "satisfied"
    reopened = Proposal.objects.get(state=Proposal.State.REOPENED)
    assert reopened.feedback.get().result == "dissatisfied"
    assert reopened.round == 2


def test_demo_users_sign_in_with_the_demo_password(client):
    output = load()
    User = get_user_model()
    for username in DEMO_USERNAMES:
        user = User.objects.get(username=username)
        assert user.is_staff
        assert client.login(username=username, password=PASSWORD), username
        assert username in output
        client.logout()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="liaison").groups.filter(name="liaison").exists()
    assert User.objects.get(username="office").groups.filter(name="office").exists()
    assert User.objects.get(username="gsl-approver").memberships.get().role == "approver"
    # the proposers: not staff, each acting for their proposer record
    for username, name in (("member1", "郑国华"), ("member2", "区慧琴"), ("minjian", "民进中山市委会")):
        user = User.objects.get(username=username)
        assert not user.is_staff and user.proposer_account.proposer.name == name
        assert client.login(username=username, password=PASSWORD), username
        assert username in output
        client.logout()
    assert output.count(PASSWORD) == len(DEMO_USERNAMES) + 3


def test_loaded_today_the_demo_is_a_committee_at_work_now():
    out = StringIO()
    call_command("load_demo", stdout=out)  # as of today
    today = datetime.date.today()
    letter = ReplyLetter.objects.get(proposal__number="132020")
    monday = today - datetime.timedelta(days=today.weekday())
    assert letter.signed_on == monday - datetime.timedelta(days=3)  # the Friday before
    assert letter.number == f"中工商联函〔{letter.signed_on.year}〕11号"
    assert letter.signed_on.weekday() == 4  # whole weeks: a Friday stays a Friday
    shift = monday - STORY_TODAY
    # the session is of the year its proposals came in (the story's January, moved)
    assert Proposal.objects.get(number="132020").session.year == (datetime.date(2023, 1, 10) + shift).year
    # nothing happens after today, and what is overdue is weeks or months late, not years
    assert not Assignment.objects.filter(assigned_on__gt=today).exists()
    assert not ReplyLetter.objects.filter(signed_on__gt=today).exists()
    overdue = Assignment.objects.pending().filter(due_on__lt=today)
    assert overdue.exists()
    assert all((today - a.due_on).days < 200 for a in overdue)
    # the 退办 stories: one released and reassigned this week, one waiting for a decision
    released = ReleaseRequest.objects.get(state="approved")
    assert (released.agency.code, released.reassigned_to.code) == ("mzj", "fgj")
    assert released.proposal.assignments.get(role="lead").agency.code == "fgj"
    pending = ReleaseRequest.objects.get(state="pending")
    assert pending.assignment.agency.code == "tcj" and pending.assigned_on == monday


def test_the_story_moves_by_whole_weeks():
    from demo.dates import offset_for

    assert offset_for(STORY_TODAY) == datetime.timedelta(0)
    assert offset_for(STORY_TODAY + datetime.timedelta(days=6)) == datetime.timedelta(0)
    assert offset_for(STORY_TODAY + datetime.timedelta(days=7)) == datetime.timedelta(weeks=1)
    assert offset_for(datetime.date(2020, 1, 1)) == datetime.timedelta(0)  # never back


@pytest.mark.parametrize("with_index", [True, False], ids=["index", "scan"])
def test_the_similar_proposal_the_demo_once_missed_is_found(with_index, monkeypatch):
    """member1's draft 「关于推进社区嵌入式养老服务设施建设的建议」, once submitted, is shown
    「关于完善社区居家养老服务体系的建议」 of the same session — with PostgreSQL's index and
    with the scan SQLite makes."""
    from django.db import connection

    from members import services as members
    from members.models import OnlineProposal
    from proposals.services import common
    from search import similarity
    from search.services import rebuild_all

    if with_index and connection.vendor != "postgresql":
        pytest.skip("the index is PostgreSQL's; SQLite always scans")
    monkeypatch.setattr(similarity, "uses_index", lambda: with_index)
    load()
    online = OnlineProposal.objects.get(title="关于推进社区嵌入式养老服务设施建设的建议")
    with common.as_of(STORY_TODAY):  # the story's week, when the co-signing is still open
        for invitation in online.invitations.all():
            members.invitation_answer(invitation=invitation, proposer=invitation.proposer, confirm=True)
        proposal = members.online_submit(online=online, proposer=online.lead)
    rebuild_all()
    found = [item.proposal.title for item in similarity.similar_proposals(proposal)]
    assert found[:1] == ["关于完善社区居家养老服务体系的建议"]
