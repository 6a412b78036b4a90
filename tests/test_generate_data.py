"""manage.py generate_data: what was asked, in every state, valid, reproducible, and usable.

The generated rows are checked against the rules the services keep (one lead
agency, due dates from the session's rules, document numbers 1…n per prefix and
year, …), every model's own validation, and by carrying generated proposals further
through the real services.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import Agency, Membership
from history.models import StateChange
from proposals import answers
from proposals import services as proposal_services
from proposals.models import (
    Assignment,
    Feedback,
    Proposal,
    Proposer,
    Recommendation,
    Session,
    Signature,
)
from replies import services as reply_services
from replies.composition import letter_sections, suggested_class
from replies.models import DocumentCounter, ReplyLetter, Section

ALL_STATES = {"submitted", "registered", "converted", "withdrawn", "assigned", "replied",
              "reopened", "closed"}
HANDLED = {"assigned", "replied", "reopened", "closed"}
FIRST_DAY, LAST_DAY = datetime.date(2024, 1, 1), datetime.date(2026, 12, 31)


def generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_data", stdout=out, **options)
    return out.getvalue()


def check_generated(total: int, agencies: int, per_session: dict[str, int]) -> None:
    """Everything the generator promises, checked on the rows in the database."""
    assert Proposal.objects.count() == total
    assert Agency.objects.count() == agencies
    assert set(Proposal.objects.values_list("state", flat=True)) == ALL_STATES

    # Numbers: term + meeting + serial 1…n per session; the session's counter at n.
    for session in Session.objects.all():
        numbers = sorted(session.proposals.values_list("number", flat=True), key=lambda n: (len(n), n))
        count = per_session[session.code]
        assert numbers == [f"{session.term}{session.meeting}{i:03d}" for i in range(1, count + 1)]
        assert session.last_serial == count
    assert set(Session.objects.values_list("code", flat=True)) == set(per_session)

    # Recommendations 2–6, numbered 1…k; exactly one lead proposer.
    for proposal in Proposal.objects.prefetch_related("recommendations", "signatures"):
        ordinals = [r.ordinal for r in proposal.recommendations.all()]
        assert 2 <= len(ordinals) <= 6 and sorted(ordinals) == list(range(1, len(ordinals) + 1))
        assert [s.role for s in proposal.signatures.all()].count("lead") == 1

    # Assignments: one lead and 0–3 co-handlers on handled proposals only, due dates by the rules.
    for proposal in Proposal.objects.select_related("session").prefetch_related("assignments"):
        roles = [a.role for a in proposal.assignments.all()]
        if proposal.state not in HANDLED:
            assert roles == []
            continue
        assert roles.count("lead") == 1 and roles.count("co") <= 3 and len(roles) == 1 + roles.count("co")
        for a in proposal.assignments.all():
            rule = proposal.session.due_date("co" if a.role == "co" else "lead", a.assigned_on).date
            if a.role == "lead" and proposal.round == 2:
                assert a.due_on >= rule  # extended for the re-handling
            else:
                assert a.due_on == rule

    # Answered proposals have the lead agency's signed letter of the round; sections approved.
    final = ReplyLetter.objects.final()
    for proposal in Proposal.objects.filter(state__in=["replied", "closed"]).prefetch_related("assignments"):
        lead = next(a for a in proposal.assignments.all() if a.role == "lead")
        assert final.filter(proposal=proposal, agency_id=lead.agency_id, round=proposal.round).count() == 1
        assert not Section.objects.filter(recommendation__proposal=proposal).exclude(state="approved").exists()
    for proposal in Proposal.objects.filter(state="reopened"):
        assert proposal.round == 2
        assert final.filter(proposal=proposal, round=1).exists()
        assert proposal.feedback.filter(round=1, result="dissatisfied").exists()
    assert not final.filter(proposal__state__in=["submitted", "registered", "converted", "withdrawn"]).exists()
    assert not Feedback.objects.exclude(proposal__state__in=["replied", "reopened", "closed"]).exists()
    for proposal in Proposal.objects.filter(state="closed"):
        assert proposal.feedback.filter(round=proposal.round).exists()

    # Document numbers: 1…n per prefix and year, the counter at n, the text as numbered.
    serials = defaultdict(list)
    for letter in ReplyLetter.objects.filter(doc_serial__isnull=False).select_related("agency"):
        assert letter.doc_prefix == letter.agency.doc_prefix
        assert letter.number == f"{letter.doc_prefix}〔{letter.doc_year}〕{letter.doc_serial}号"
        assert letter.doc_year == letter.signed_on.year
        serials[(letter.doc_prefix, letter.doc_year)].append(letter.doc_serial)
    assert serials
    for (prefix, year), found in serials.items():
        assert sorted(found) == list(range(1, len(found) + 1))
        assert DocumentCounter.objects.get(prefix=prefix, year=year).last_serial == len(found)

    # Every date in 2024–2026; some assignments overdue at the end of 2026.
    for model, name in ((Proposal, "submitted_on"), (Assignment, "assigned_on"), (Assignment, "due_on"),
                        (ReplyLetter, "signed_on"), (Feedback, "received_on")):
        dates = model.objects.exclude(**{f"{name}__isnull": True}).values_list(name, flat=True)
        assert all(FIRST_DAY <= d <= LAST_DAY for d in dates), (model, name)
    assert Assignment.objects.overdue(datetime.date(2026, 12, 31)).exists()
    # Whether each agency answered is stored as the definitions say, in every combination seen.
    assert not answers.stale().exists()
    assert Assignment.objects.filter(answered=True, answered_in_time=True).exists()
    assert Assignment.objects.filter(answered=False, answered_ever=True).exists()  # reopened
    assert Assignment.objects.filter(answered=True, answered_in_time=False).exists()  # late


def full_clean_sample(limit: int = 150) -> None:
    for model in (Session, Agency, Proposer, Proposal, Signature, Recommendation, Assignment,
                  Section, ReplyLetter, Feedback, StateChange, Membership, DocumentCounter):
        rows = list(model.objects.order_by("pk")[:limit])
        assert rows, model
        for row in rows:
            row.full_clean()


def fingerprint() -> dict:
    """The generated content, without database ids."""
    return {
        "proposals": list(Proposal.objects.order_by("session__year", "number").values_list(
            "session__code", "number", "title", "body", "state", "round", "submitted_on",
            "category__name", "is_key")),
        "signatures": sorted(Signature.objects.values_list("proposal__number", "proposer__name", "role")),
        "recommendations": sorted(Recommendation.objects.values_list("proposal__number", "ordinal", "title")),
        "assignments": sorted(Assignment.objects.values_list(
            "proposal__number", "agency__code", "role", "assigned_on", "due_on")),
        "sections": sorted(Section.objects.values_list(
            "recommendation__proposal__number", "recommendation__ordinal", "agency__code",
            "position", "state", "adoption__code", "body")),
        "letters": sorted(ReplyLetter.objects.values_list(
            "proposal__number", "round", "state", "number", "klass", "signed_on", "issued_on"),
            key=str),
        "feedback": sorted(Feedback.objects.values_list("proposal__number", "round", "received_on",
                                                        "handling", "result")),
        "history": sorted(StateChange.objects.values_list("proposal__number", "action", "at"), key=str),
    }


def wipe() -> None:
    Proposal.objects.all().delete()
    DocumentCounter.objects.all().delete()
    Session.objects.all().delete()
    Proposer.objects.all().delete()


@pytest.mark.django_db
def test_generates_what_was_asked_in_every_state():
    output = generate(proposals=64, agencies=8, seed=3)

    check_generated(64, 8, {"13-3": 22, "13-4": 21, "13-5": 21})
    assert "提案" in output and "64" in output
    # The latest session is still being handled: most of its proposals are not closed.
    latest = Proposal.objects.filter(session__code="13-5")
    assert latest.filter(state="closed").count() < latest.count() / 2


@pytest.mark.django_db
def test_generated_rows_pass_their_models_validation():
    generate(proposals=40, agencies=6, seed=5)

    full_clean_sample()


@pytest.mark.django_db
def test_one_session_still_has_every_state():
    generate(proposals=12, sessions=1, agencies=3, seed=9)

    check_generated(12, 3, {"13-5": 12})


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    generate(proposals=30, agencies=6, seed=11)
    first = fingerprint()
    wipe()
    generate(proposals=30, agencies=6, seed=11)
    assert fingerprint() == first
    wipe()
    generate(proposals=30, agencies=6, seed=12)
    other = fingerprint()
    assert other["proposals"] != first["proposals"]
    assert len(other["proposals"]) == len(first["proposals"]) == 30


@pytest.mark.django_db
def test_refuses_a_database_with_proposals_unless_appending():
    generate(proposals=30, agencies=6, seed=1)
    before = fingerprint()

    with pytest.raises(CommandError, match="--append"):
        generate(proposals=10, agencies=6, seed=2)
    assert fingerprint() == before

    generate(proposals=30, agencies=6, seed=2, append=True)
    # Numbers and document numbers continue where the first run stopped.
    check_generated(60, 6, {"13-3": 20, "13-4": 20, "13-5": 20})


@pytest.mark.django_db
@pytest.mark.parametrize("options", [{"proposals": 0}, {"sessions": 4}, {"sessions": 0},
                                     {"agencies": 0}, {"agencies": 500}])
def test_refuses_impossible_options(options):
    with pytest.raises(CommandError):
        generate(**{"proposals": 5, **options})
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_the_services_carry_generated_proposals_further():
    generate(proposals=64, agencies=8, seed=3)
    proposal = Proposal.objects.filter(state="assigned").order_by("number").first()
    lead = proposal.assignments.get(role="lead").agency
    officer = Membership.objects.get(agency=lead, role="officer").user

    def staff(agency, role):
        return Membership.objects.get(agency=agency, role=role).user

    letter = ReplyLetter.objects.current().filter(proposal=proposal, round=proposal.round).first()
    for recommendation in proposal.recommendations.all():
        if not recommendation.sections.filter(agency=lead).exists():
            reply_services.section_create(recommendation=recommendation, agency=lead, actor=officer,
                                          adoption="adopted", body="已办理。")
    if letter is None:
        letter = reply_services.letter_create(proposal=proposal, agency=lead, actor=officer)
    for section in letter_sections(letter):
        if section.state == "draft":
            reply_services.section_submit(section=section, actor=staff(section.agency, "officer"))
            section.refresh_from_db()
        if section.state == "submitted":
            reply_services.section_approve(section=section, actor=staff(section.agency, "approver"))
    letter.refresh_from_db()
    if letter.state == "in_review":
        letter = reply_services.letter_return(letter=letter, actor=staff(lead, "approver"), reason="补充")
    reply_services.letter_set_class(letter=letter, klass=suggested_class(letter), actor=officer)
    reply_services.letter_submit(letter=letter, actor=officer)
    counter = DocumentCounter.objects.filter(prefix=lead.doc_prefix, year=2026).first()
    signed = reply_services.letter_sign(letter=letter, actor=staff(lead, "approver"),
                                        signed_on=datetime.date(2026, 11, 23))

    assert signed.doc_serial == (counter.last_serial if counter else 0) + 1
    proposal.refresh_from_db()
    assert proposal.state == "replied"

    closed = Proposal.objects.filter(state="closed").first()
    liaison = closed.history.get(action="close").actor
    assert liaison.groups.filter(name="liaison").exists()
    reopened = proposal_services.proposal_reopen(proposal=closed, actor=liaison, reason="提案者来电要求")
    assert reopened.state == "reopened" and reopened.round == closed.round + 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_generates_on_postgresql():
    generate(proposals=64, agencies=8, seed=3)

    check_generated(64, 8, {"13-3": 22, "13-4": 21, "13-5": 21})
    full_clean_sample(60)
