"""Import and export in the interchange format (proposal-replies/1)."""

from __future__ import annotations

import copy
import datetime
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from history.models import StateChange
from proposals import services as ps
from proposals.models import (
    Assignment,
    Category,
    Feedback,
    Proposal,
    Proposer,
    Recommendation,
    Session,
    Signature,
)
from replies import services as rs
from replies.models import DocumentCounter, ReplyLetter, Section
from replies.numbering import allocate_document_number
from tests.factories import AgencyFactory, SessionFactory

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "proposal-132020.json"

MODELS = [Agency, Session, Category, Proposer, Proposal, Signature, Recommendation, Assignment,
          Section, ReplyLetter, Feedback, StateChange, DocumentCounter]


# ---------------------------------------------------------------- helpers


def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def run_import(path: Path) -> str:
    out = io.StringIO()
    call_command("import_proposals", str(path), stdout=out)
    return out.getvalue()


def run_export(tmp_path: Path, *args: str, name: str = "out.json") -> str:
    path = tmp_path / name
    call_command("export_proposals", *args, "-o", str(path), stdout=io.StringIO())
    return path.read_text(encoding="utf-8")


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def snapshot() -> dict:
    """Row counts, every row's updated_at and version, and the counters."""
    state: dict = {"counts": counts()}
    for model in (Agency, Proposal, Assignment, Section, ReplyLetter):
        fields = ["pk", "updated_at"] + (["version"] if model in (Section, ReplyLetter) else [])
        state[model.__name__] = sorted(model.objects.values_list(*fields))
    state["serials"] = sorted(Session.objects.values_list("code", "last_serial"))
    state["documents"] = sorted(DocumentCounter.objects.values_list("prefix", "year", "last_serial"))
    return state


def assert_contains(expected, actual, path="file"):
    """Every key present in ``expected`` has the same value in ``actual``; lists match item by item."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            assert_contains(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            assert_contains(e, a, f"{path}[{i}]")
    else:
        assert expected == actual, f"{path}: {expected!r} != {actual!r}"


def import_errors(path: Path) -> list[str]:
    with pytest.raises(CommandError) as raised:
        run_import(path)
    return str(raised.value).splitlines()[1:]


def wipe() -> None:
    """Empty the tables the format covers, as a fresh database would be."""
    Proposal.objects.all().delete()
    Proposer.objects.all().delete()
    Session.objects.all().delete()
    DocumentCounter.objects.all().delete()
    Agency.objects.all().delete()


# ---------------------------------------------------------------- the example letter


def test_example_imports_and_round_trips(db, tmp_path):
    output = run_import(EXAMPLE)
    assert "agencies: 5 created, 0 updated, 0 unchanged" in output
    assert "proposals: 1 created, 0 updated, 0 unchanged" in output

    proposal = Proposal.objects.get(session__code="13-2", number="132020")
    assert proposal.state == Proposal.State.REPLIED
    assert proposal.lead_proposer.name == "民建中山市委会"
    letter = proposal.letters.get()
    assert (letter.number, letter.doc_prefix, letter.doc_year, letter.doc_serial) == (
        "中工商联函〔2023〕11号", "中工商联函", 2023, 11)
    assert letter.state == ReplyLetter.State.ISSUED
    # The fixed text is built from the sections: six parts, the third from two agencies.
    assert [p["ordinal"] for p in letter.parts] == [1, 2, 3, 4, 5, 6]
    assert letter.parts[0]["heading"].startswith("一、关于做优做强行业协会")
    assert letter.parts[0]["phrase"] == "吸收采纳该项建议。"
    assert [s["agency"] for s in letter.parts[2]["sections"]] == ["gxj", "gsl"]
    assert "\n" in letter.parts[0]["sections"][0]["body"]
    history = proposal.history.get(action="import")
    assert history.target == "replied" and history.data["created"] is True

    exported = json.loads(run_export(tmp_path))
    assert_contains(example(), exported)

    before = snapshot()
    output = run_import(tmp_path / "out.json")
    assert "proposals: 0 created, 0 updated, 1 unchanged" in output
    assert "agencies: 0 created, 0 updated, 5 unchanged" in output
    assert snapshot() == before


def test_reimport_saves_nothing(db):
    run_import(EXAMPLE)
    before = snapshot()
    saved = []

    def note(sender, **kwargs):
        saved.append(sender.__name__)

    post_save.connect(note, weak=False)
    post_delete.connect(note, weak=False)
    try:
        with CaptureQueriesContext(connection) as queries:
            output = run_import(EXAMPLE)
    finally:
        post_save.disconnect(note)
        post_delete.disconnect(note)
    writes = [
        q["sql"] for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "DELETE", "INSERT"))
        and "documentcounter" not in q["sql"]  # the counter's insert-if-missing
    ]
    assert saved == [] and writes == []
    assert snapshot() == before
    assert "proposals: 0 created, 0 updated, 1 unchanged" in output


def test_changed_file_updates_what_it_names(db, tmp_path):
    run_import(EXAMPLE)
    proposal = Proposal.objects.get(number="132020")
    untouched = dict(Assignment.objects.values_list("pk", "updated_at"))
    section = Section.objects.get(recommendation__proposal=proposal, recommendation__ordinal=1)
    history = StateChange.objects.count()

    data = example()
    p = data["proposals"][0]
    p["title"] = p["title"] + "（修订）"
    p["sections"][0]["body"] = "第一段。\n第二段。"
    del p["sections"][-1]  # recommendation 6 no longer answered
    p["feedback"] = [{"received_on": "2023-08-01", "handling": "satisfied",
                      "result": "basically_satisfied", "comment": "满意。"}]
    data["agencies"][0]["short_name"] = "发改局"
    output = run_import(write(tmp_path, data))

    assert "agencies: 0 created, 1 updated, 4 unchanged" in output
    assert "proposals: 0 created, 1 updated, 0 unchanged" in output
    proposal.refresh_from_db()
    assert proposal.title.endswith("（修订）")
    section.refresh_from_db()
    assert section.body == "第一段。\n第二段。" and section.version == 2
    assert not Section.objects.filter(recommendation__ordinal=6).exists()
    assert proposal.feedback.get().result == "basically_satisfied"
    letter = proposal.letters.get()
    assert [p["ordinal"] for p in letter.parts] == [1, 2, 3, 4, 5]
    assert letter.parts[0]["sections"][0]["body"] == "第一段。\n第二段。"
    assert dict(Assignment.objects.values_list("pk", "updated_at")) == untouched
    assert StateChange.objects.count() == history + 1
    change = proposal.history.filter(action="import").last()
    assert change.source == change.target == "replied"
    assert set(change.data["changed"]) == {"title", "sections", "letters", "feedback"}

    # Children missing from the file are removed; the letter keeps its row.
    letter_pk = letter.pk
    p["feedback"] = []
    del p["recommendations"][-1]
    run_import(write(tmp_path, data))
    assert not proposal.feedback.exists()
    assert list(proposal.recommendations.values_list("ordinal", flat=True)) == [1, 2, 3, 4, 5]
    assert proposal.letters.get().pk == letter_pk


def test_import_moves_the_counters(db):
    run_import(EXAMPLE)
    session = Session.objects.get(code="13-2")
    assert session.last_serial == 20
    with transaction.atomic():
        assert ps.allocate_proposal_number(session) == "132021"
        assert str(allocate_document_number("中工商联函", 2023)) == "中工商联函〔2023〕12号"


def test_counters_never_move_back(db, tmp_path):
    session = SessionFactory(code="13-2", committee="政协中山市委员会")
    Session.objects.filter(pk=session.pk).update(last_serial=40)
    DocumentCounter.objects.create(prefix="中工商联函", year=2023, last_serial=30)
    run_import(EXAMPLE)
    session.refresh_from_db()
    assert session.last_serial == 40
    assert DocumentCounter.objects.get(prefix="中工商联函", year=2023).last_serial == 30


# ---------------------------------------------------------------- data made through the services


def _services_data(world):
    """Proposals in many states, walked through the real services."""
    liaison = world.liaison
    # Closed after a satisfied reply; a co-handler's section joins the lead's letter.
    p1 = world.assigned(is_key=True, category=Category.objects.get(name="社会建设"))
    world.approved_section(p1.recommendations.get(ordinal=1), world.co, "in_progress",
                           "市民政局意见。\n下一步，继续推进。")
    p1, letter = world.signed_letter(p1)
    rs.letter_issue(letter=letter, actor=world.office, issued_on=datetime.date(2023, 7, 11))
    ps.feedback_record(proposal=p1, handling="satisfied", result="satisfied",
                       received_on=datetime.date(2023, 8, 1), actor=liaison)
    ps.proposal_close(proposal=p1, actor=liaison)

    # Reopened after 不满意 and answered again: two rounds, two letters.
    p2, _ = world.signed_letter(world.assigned())
    ps.feedback_record(proposal=p2, handling="dissatisfied", result="dissatisfied",
                       received_on=datetime.date(2023, 8, 2), comment="未解决。", actor=liaison)
    ps.proposal_reopen(proposal=p2, actor=liaison)
    section = Section.objects.get(recommendation__proposal=p2, recommendation__ordinal=1)
    rs.section_revise(section=section, actor=world.lead_officer, reason="补充办理情况")
    rs.section_update(section=section, actor=world.lead_officer, body="重新办理的意见。\n已经落实。")
    rs.section_submit(section=section, actor=world.lead_officer)
    rs.section_approve(section=section, actor=world.lead_approver)
    second = rs.letter_create(proposal=p2, agency=world.lead, actor=world.lead_officer)
    rs.letter_submit(letter=second, actor=world.lead_officer)
    rs.letter_sign(letter=second, actor=world.lead_approver, signed_on=datetime.date(2023, 9, 1))
    p2.refresh_from_db()
    ps.feedback_record(proposal=p2, handling="satisfied", result="basically_satisfied",
                       received_on=datetime.date(2023, 9, 5), actor=liaison)

    # An issued letter voided and replaced.
    p3, voided = world.signed_letter(world.assigned(), signed_on=datetime.date(2023, 7, 8))
    rs.letter_issue(letter=voided, actor=world.office, issued_on=datetime.date(2023, 7, 9))
    rs.letter_void(letter=voided, actor=world.lead_approver, reason="抄送单位有误")
    replacement = rs.letter_create(proposal=p3, agency=world.lead, actor=world.lead_officer)
    rs.letter_submit(letter=replacement, actor=world.lead_officer)
    rs.letter_sign(letter=replacement, actor=world.lead_approver, signed_on=datetime.date(2023, 7, 10))

    # A draft letter, a draft section, and a proposal only just logged.
    p4, _ = world.ready_letter()
    rs.section_create(recommendation=p4.recommendations.get(ordinal=1), agency=world.co,
                      actor=world.co_officer, body="草稿")
    world.proposal(recommendations=1, submitted_on=datetime.date(2023, 2, 1))
    return p1, p2, p3, p4


def test_services_data_round_trips_through_an_empty_database(world, tmp_path):
    _services_data(world)
    first = run_export(tmp_path, name="first.json")
    data = json.loads(first)
    p2 = next(p for p in data["proposals"] if p["round"] == 2)
    assert p2["letter"]["round"] == 2 and [x["round"] for x in p2["letters"]] == [1]
    # The first round's letter keeps the text it was signed with.
    assert p2["letters"][0]["parts"][0]["sections"][0]["body"] == "已办理。"
    assert [f["round"] for f in p2["feedback"]] == [1, 2]
    states = {x["state"] for p in data["proposals"] for x in [p["letter"], *p["letters"]] if x}
    assert {"signed", "issued", "voided", "draft"} <= states

    # Importing the export over the data it came from changes nothing.
    before = snapshot()
    output = run_import(tmp_path / "first.json")
    assert "proposals: 0 created, 0 updated, 5 unchanged" in output
    assert snapshot() == before

    expected = {k: v for k, v in counts().items() if k not in ("StateChange", "Proposer")}
    wipe()
    output = run_import(tmp_path / "first.json")
    assert "proposals: 5 created, 0 updated, 0 unchanged" in output
    assert run_export(tmp_path, name="second.json") == first
    assert {k: v for k, v in counts().items() if k in expected} == expected
    assert StateChange.objects.filter(action="import").count() == 5
    # Counters are past every imported number.
    session = Session.objects.get(code="13-2")
    assert session.last_serial == 5
    with transaction.atomic():
        assert str(allocate_document_number("测工商联函", 2023)) == "测工商联函〔2023〕6号"


def test_a_draft_letter_once_signed_is_the_same_letter(world, tmp_path):
    proposal, letter = world.ready_letter()
    data = json.loads(run_export(tmp_path))
    entry = data["proposals"][0]["letter"]
    assert entry["number"] is None and entry["state"] == "draft"
    entry.update(number="测工商联函〔2023〕8号", state="signed", signed_on="2023-07-07", **{"class": "A"})
    run_import(write(tmp_path, data))
    letter.refresh_from_db()
    assert (letter.number, letter.state, letter.doc_serial) == ("测工商联函〔2023〕8号", "signed", 8)
    assert len(letter.parts) == 2
    assert proposal.letters.count() == 1


# ---------------------------------------------------------------- export options


def test_export_one_session(world, tmp_path):
    world.assigned()
    other_session = SessionFactory(code="14-1", term=14, meeting=1, year=2024, name="市政协十四届一次会议")
    third = AgencyFactory(code="third")
    other = ps.proposal_create(session=other_session, title="关于另一件事的建议",
                               proposers=[{"name": "张某某"}], recommendations=[{"title": "某事"}])
    ps.proposal_register(proposal=other)
    ps.proposal_assign(proposal=other, assignments=[{
        "agency": third, "role": "lead", "assigned_on": datetime.date(2024, 3, 1),
        "due_on": datetime.date(2024, 6, 1)}])

    data = json.loads(run_export(tmp_path, "--session", "13-2"))
    assert [s["code"] for s in data["sessions"]] == ["13-2"]
    assert [p["number"] for p in data["proposals"]] == ["132001"]
    assert [a["code"] for a in data["agencies"]] == ["co", "lead"]

    everything = json.loads(run_export(tmp_path, name="all.json"))
    assert [s["code"] for s in everything["sessions"]] == ["13-2", "14-1"]
    assert [p["number"] for p in everything["proposals"]] == ["132001", "141001"]
    assert [a["code"] for a in everything["agencies"]] == ["co", "lead", "third"]

    with pytest.raises(CommandError, match='--session: unknown session "9-9"'):
        call_command("export_proposals", "--session", "9-9", stdout=io.StringIO())


def test_export_to_standard_output(world):
    world.assigned()
    out = io.StringIO()
    call_command("export_proposals", "-o", "-", stdout=out)
    text = out.getvalue()
    assert text.endswith("\n") and "关于充分发挥行业协会作用的建议" in text
    assert json.loads(text)["format"] == "proposal-replies/1"


# ---------------------------------------------------------------- refused files


def _two_proposals() -> dict:
    """The example with a second, valid proposal after it."""
    data = example()
    second = copy.deepcopy(data["proposals"][0])
    second["number"] = "132021"
    second["letter"]["number"] = "中工商联函〔2023〕12号"
    data["proposals"].append(second)
    return data


def _keys(path: str) -> list:
    """``proposals[1].letter.number`` → ["proposals", 1, "letter", "number"]."""
    keys = path.replace("[", ".").replace("]", "").split(".")
    return [int(k) if k.isdigit() else k for k in keys]


def _parent(data, path: str):
    *parents, last = _keys(path)
    for key in parents:
        data = data[key]
    return data, last


def _set(path: str, value):
    """A change to the file: ``value`` at ``path``."""

    def change(data):
        target, last = _parent(data, path)
        target[last] = value
    return change


def _drop(path: str):
    """A change to the file: the key at ``path`` removed."""

    def change(data):
        target, last = _parent(data, path)
        del target[last]
    return change


def _repeat_section(data):
    sections = data["proposals"][1]["sections"]
    sections.append({**sections[2], "body": "另一段。"})


def _add_unassigned_agency(data):
    data["agencies"].append({"code": "jyj", "name": "中山市教育局", "doc_prefix": "中教函"})
    data["proposals"][1]["sections"][0]["agency"] = "jyj"


BAD = [
    (_set("proposals[1].sections[2].agency", "xyz"),
     'proposals[1].sections[2].agency: unknown agency "xyz"'),
    (_add_unassigned_agency,
     'proposals[1].sections[0].agency: agency "jyj" is not assigned to this proposal'),
    (_set("proposals[1].sections[1].recommendation", 9),
     "proposals[1].sections[1].recommendation: unknown recommendation 9"),
    (_set("proposals[1].session", "9-9"), 'proposals[1].session: unknown session "9-9"'),
    (_set("proposals[1].letter.agency", "nope"), 'proposals[1].letter.agency: unknown agency "nope"'),
    (_set("proposals[1].submitted_on", "2023/2/15"),
     'proposals[1].submitted_on: expected a date as YYYY-MM-DD, got a string ("2023/2/15")'),
    (_set("proposals[1].assignments[0].due_on", "2023-02-30"),
     "proposals[1].assignments[0].due_on: expected a date as YYYY-MM-DD"),
    (_set("proposals[1].assignments[1].due_on", "2023-04-01"),
     "proposals[1].assignments[1].due_on: 2023-04-01 is earlier than assigned_on 2023-04-10"),
    (_set("proposals[1].number", "13-2021"), "proposals[1].number: expected up to 20 digits"),
    (_set("proposals[1].letter.number", "中工商联函2023年12号"), "proposals[1].letter.number: 发文字号"),
    (_set("proposals[1].letter.number", "中工商联函〔2023〕011号"), "不能有前导零"),
    (_set("proposals[1].status", "done"), 'proposals[1].status: unknown status "done"'),
    (_set("proposals[1].sections[0].adoption", "maybe"),
     'proposals[1].sections[0].adoption: unknown adoption status "maybe"'),
    (_set("proposals[1].letter.class", "E"), 'proposals[1].letter.class: unknown letter class "E"'),
    (_set("proposals[1].letter.disclosure", "公开"), "proposals[1].letter.disclosure: unknown disclosure"),
    (_set("proposals[1].proposers[0].kind", "person"),
     'proposals[1].proposers[0].kind: unknown proposer kind "person"'),
    (_set("proposals[1].feedback", [{"received_on": "2023-08-01", "handling": "ok",
                                     "result": "satisfied"}]),
     'proposals[1].feedback[0].handling: unknown satisfaction "ok"'),
    (_set("agencies[2].letter_style", "fancy"), 'agencies[2].letter_style: unknown letter style "fancy"'),
    (_set("proposals[1].is_key", "no"), 'proposals[1].is_key: expected true or false, got a string ("no")'),
    (_set("proposals[1].recommendations", {"1": "x"}),
     "proposals[1].recommendations: expected a list, got an object"),
    (_set("sessions[0].term", "13"), 'sessions[0].term: expected a whole number, got a string ("13")'),
    (_set("proposals[1].title", ""), "proposals[1].title: must not be empty"),
    (_drop("proposals[1].title"), "proposals[1].title: missing"),
    (_set("proposals[1].number", "132020"), 'proposals[1].number: duplicate proposal 132020 of session "13-2"'),
    (_set("proposals[1].letter.number", "中工商联函〔2023〕11号"),
     'proposals[1].letter.number: duplicate document number "中工商联函〔2023〕11号", '
     "also at proposals[0].letter.number"),
    (_set("agencies[1].code", "fgj"), 'agencies[1].code: duplicate agency "fgj"'),
    (_repeat_section,
     'proposals[1].sections[7]: duplicate section (recommendation 3, agency "gxj", position 1), '
     "also at proposals[1].sections[2]"),
    (_set("proposals[1].recommendations[1].ordinal", 1),
     "proposals[1].recommendations[1].ordinal: duplicate recommendation 1"),
    (_set("proposals[1].assignments[1].role", "lead"),
     "proposals[1].assignments[1].role: a proposal has at most one lead agency"),
    (_set("proposals[1].letter.agency", "mzj"), 'proposals[1].letter.agency: agency "mzj" is a co-handler'),
    (_set("proposals[1].letter.round", 2),
     "proposals[1].letter.round: round 2 is later than the proposal's round 1"),
    (_set("proposals[1].letter.state", "draft"),
     "proposals[1].letter.number: a draft letter has no document number yet"),
    (_set("proposals[1].letter.issued_on", "2023-07-01"),
     "proposals[1].letter.issued_on: 2023-07-01 is earlier than signed_on 2023-07-07"),
    (_set("proposals[1].proposers[0].role", "co-signer"),
     "proposals[1].proposers: a proposal needs exactly one lead proposer, found 0"),
    (_set("proposals[1].status", "submitted"),
     'proposals[1].assignments: a proposal with status "submitted" cannot have assignments'),
    (_set("format", "proposal-replies/2"), 'format: expected "proposal-replies/1"'),
    (_drop("format"), 'format: missing (expected "proposal-replies/1")'),
]


@pytest.mark.parametrize(("change", "message"), BAD, ids=[m for _c, m in BAD])
def test_a_bad_file_imports_nothing(db, tmp_path, change, message):
    run_import(EXAMPLE)
    before = snapshot()
    data = _two_proposals()
    data["proposals"][0]["title"] = "改过的标题"  # a valid change before the error
    change(data)
    errors = import_errors(write(tmp_path, data))
    assert any(line.startswith(message) or message in line for line in errors), errors
    assert snapshot() == before
    assert Proposal.objects.get(number="132020").title != "改过的标题"


def test_every_error_is_reported(db, tmp_path):
    data = _two_proposals()
    data["proposals"][0]["sections"][2]["agency"] = "xyz"
    data["proposals"][1]["submitted_on"] = "yesterday"
    data["proposals"][1]["letter"]["number"] = "11号"
    errors = import_errors(write(tmp_path, data))
    assert len(errors) == 3
    assert errors[0] == 'proposals[0].sections[2].agency: unknown agency "xyz"'
    assert errors[1].startswith("proposals[1].submitted_on: ")
    assert errors[2].startswith("proposals[1].letter.number: ")
    assert counts()["Proposal"] == 0 and counts()["Agency"] == 0


@pytest.mark.parametrize(("content", "message"), [
    (b"{\"format\": ", "file: not valid JSON: "),
    (b"[1, 2]", "file: expected a JSON object, got a list"),
    ("{}".encode("utf-16"), "file: not UTF-8 text"),
])
def test_not_a_format_file(db, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    errors = import_errors(path)
    assert errors[0].startswith(message)


def test_a_number_used_elsewhere_is_refused(db, tmp_path):
    run_import(EXAMPLE)
    data = example()
    data["sessions"].append({"code": "13-3", "committee": "政协中山市委员会", "term": 13, "meeting": 3,
                             "year": 2024, "name": "市政协十三届三次会议"})
    data["proposals"][0]["session"] = "13-3"  # the same number in another session of the committee
    errors = import_errors(write(tmp_path, data))
    assert 'proposals[0].number: number 132020 is already used by session "13-2"' in errors[0]
    assert any(e.startswith("proposals[0].letter.number: document number") and "belongs to proposal "
               "132020" in e for e in errors)
    assert Session.objects.filter(code="13-3").count() == 0


def test_a_refusal_by_the_database_undoes_the_import(db, tmp_path):
    run_import(EXAMPLE)
    data = example()
    data["proposals"][0]["title"] = "改过的标题"
    data["sessions"][0]["name"] = "改过的名称"
    first, second = data["agencies"][0], data["agencies"][1]
    first["name"], second["name"] = second["name"], first["name"]  # each name is unique
    before = snapshot()
    errors = import_errors(write(tmp_path, data))
    assert errors[0].startswith("agencies[0]: the database refused the change: ")
    assert snapshot() == before
    assert Session.objects.get(code="13-2").name == "市政协十三届二次会议"


def test_import_from_standard_input(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(EXAMPLE.read_bytes())))
    out = io.StringIO()
    call_command("import_proposals", "-", stdout=out)
    assert "proposals: 1 created" in out.getvalue()


def test_categories_by_name(db, tmp_path):
    data = example()
    data["proposals"][0]["category"] = "营商环境"
    run_import(write(tmp_path, data))
    assert Proposal.objects.get(number="132020").category.name == "营商环境"
    data["proposals"][0]["category"] = ""
    run_import(write(tmp_path, data))
    assert Proposal.objects.get(number="132020").category is None
    assert Category.objects.filter(name="营商环境").count() == 1
