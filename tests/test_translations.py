"""The English catalogue: complete, compiled, faithful to its placeholders, and in use.

The interface is written in Chinese; ``locale/en/LC_MESSAGES/django.po`` carries the
English text and ``django.mo`` is its compiled form, kept in the repository so that
deployments need no gettext tools. After ``makemessages -l en`` picks up new strings,
translate them, then run ``compilemessages -l en --ignore=.venv``.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE / "django.po"
MO_FILE = LOCALE / "django.mo"

# Wording printed on the Chinese letter itself (shown in the letter preview, which is
# laid out as the paper letter); these stay Chinese in every interface language.
LETTER_WORDING = {"抄送：", "%(d)s印发"}

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
PERCENT_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})")
HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


@dataclass
class Entry:
    msgid: str | None = None
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def forms(self) -> list[str]:
        return [self.msgstr[i] for i in sorted(self.msgstr)]

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


@cache
def catalogue() -> tuple[Entry, list[Entry]]:
    """The header and the messages of the .po file (obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    entry, part = None, None
    for number, raw in enumerate(PO_FILE.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            entry, part = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            keyword, text = part, line
        else:
            keyword, _space, text = line.partition(" ")
        value = ast.literal_eval(text)
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword != "msgstr" else 0
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        elif keyword in ("msgid", "msgid_plural", "msgctxt"):
            setattr(entry, keyword, (getattr(entry, keyword) or "") + value)
        else:
            raise AssertionError(f"{PO_FILE.name} line {number}: cannot read {raw!r}")
        part = keyword
    header, *messages = [e for e in entries if e.msgid is not None]
    assert header.msgid == "", "the .po file must start with its header"
    return header, messages


def placeholders(text: str, *, brace: bool) -> list[str]:
    found = [p for p in PERCENT_PLACEHOLDER.findall(text) if p != "%%"]
    if brace:
        found += ["{" + name + "}" for name in BRACE_PLACEHOLDER.findall(text)]
    return sorted(found)


@pytest.fixture(autouse=True)
def _chinese_afterwards():
    """Switching a client to English must not leave this thread speaking English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


# ---------------------------------------------------------------- the .po file


def test_the_header_declares_english_plurals_and_is_not_fuzzy():
    header, _messages = catalogue()
    text = header.msgstr[0]
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text
    assert "charset=UTF-8" in text


def test_every_entry_is_translated_and_none_is_fuzzy():
    _header, messages = catalogue()
    assert len(messages) > 500
    fuzzy = [str(e) for e in messages if "fuzzy" in e.flags]
    untranslated = [str(e) for e in messages if not e.forms or not all(form.strip() for form in e.forms)]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the flag):\n" + "\n".join(fuzzy)
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


def test_plural_entries_have_both_english_forms():
    _header, messages = catalogue()
    plurals = [e for e in messages if e.msgid_plural is not None]
    assert plurals
    for entry in plurals:
        assert sorted(entry.msgstr) == [0, 1], entry
    singles = [e for e in messages if e.msgid_plural is None]
    assert all(sorted(e.msgstr) == [0] for e in singles)


def test_only_the_letters_own_wording_is_left_in_chinese():
    _header, messages = catalogue()
    copied = [str(e) for e in messages
              if CJK.search(e.msgid) and e.msgid in e.forms and e.msgid not in LETTER_WORDING]
    assert not copied, "Chinese copied into the English catalogue:\n" + "\n".join(copied)
    for wording in LETTER_WORDING:
        assert any(e.msgid == wording for e in messages), f"{wording!r} is no longer in the catalogue"


def test_every_placeholder_and_tag_survives_translation():
    _header, messages = catalogue()
    problems = []
    for entry in messages:
        brace = "python-brace-format" in entry.flags
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        wanted = set().union(*(placeholders(s, brace=brace) for s in sources))
        for index, form in sorted(entry.msgstr.items()):
            source = sources[min(index, len(sources) - 1)]
            have = placeholders(form, brace=brace)
            missing = set(placeholders(source, brace=brace)) - set(have)
            unknown = set(have) - wanted
            if missing or unknown:
                problems.append(f"{entry} form {index}: missing {sorted(missing)}, unknown {sorted(unknown)}")
            if sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(form)):
                problems.append(f"{entry} form {index}: markup differs")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the compiled .mo


def test_the_compiled_catalogue_is_current():
    _header, messages = catalogue()
    # A checkout writes both files at almost the same moment, in either order.
    assert MO_FILE.stat().st_mtime >= PO_FILE.stat().st_mtime - 2, \
        "django.mo is older than django.po: run compilemessages -l en"
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    keys = {key if isinstance(key, str) else key[0] for key in compiled._catalog}
    keys.discard("")
    assert len(keys) == len(messages), "django.mo and django.po differ: run compilemessages -l en"
    stale = []
    for entry in messages:
        if entry.msgid_plural is None:
            if compiled._catalog.get(entry.key) != entry.msgstr[0]:
                stale.append(str(entry))
        elif any(compiled._catalog.get((entry.key, i)) != form for i, form in entry.msgstr.items()):
            stale.append(str(entry))
    assert not stale, "django.mo does not match django.po: run compilemessages -l en\n" + "\n".join(stale)


# ---------------------------------------------------------------- the interface in English


def choose_english(client, next_url: str) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": next_url})
    assert response.status_code == 302


def chrome(page: str) -> str:
    """The page without the language menu, whose Chinese entry names the Chinese interface."""
    return re.sub(r"<option[^>]*>[^<]*</option>", "", page)


def header_of(page: str) -> str:
    match = re.search(r"<header class=\"site-header\">.*?</header>", page, re.S)
    assert match, "the page has no site header"
    return match.group(0)


@pytest.mark.django_db
def test_the_login_page_in_english(client):
    choose_english(client, "/accounts/login/")
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page
    for label in ("CPPCC Proposal Handling System", "Log in", "Username", "Password", "Language"):
        assert label in page
    for label in ("政协提案办理系统", "登录", "用户名", "密码", "语言"):
        assert label not in page
    assert not CJK.search(chrome(page)), CJK.findall(chrome(page))


@pytest.mark.django_db
def test_a_wrong_password_is_reported_in_english(client, world):
    choose_english(client, "/accounts/login/")
    page = client.post("/accounts/login/", {"username": "liaison", "password": "wrong"})
    assert "Incorrect username or password" in page.content.decode()


@pytest.mark.django_db
def test_the_liaison_home_page_in_english(client, world):
    world.proposal()
    world.assigned()  # the co-handling agency is overdue
    client.force_login(world.liaison)
    choose_english(client, "/")
    page = client.get("/").content.decode()
    header = header_of(page)
    for label in ("My tasks", "Proposal", "Letters to issue", "Log out"):
        assert f">{label}<" in header, label
    assert not CJK.search(chrome(header)), CJK.findall(chrome(header))
    for label in ("<h1>My tasks</h1>", "Liaison office", "Overdue replies", "Proposal no.",
                  "Subject", "Agency", "Due date", "Days overdue"):
        assert label in page, label
    for label in ("我的待办", "提案委", "逾期未办复", "提案号", "案由", "承办单位", "办理期限",
                  "逾期天数", "待印发答复函", "退出"):
        assert label not in page, label


@pytest.mark.django_db
def test_choosing_chinese_again_restores_the_chinese_interface(client, world):
    client.force_login(world.liaison)
    choose_english(client, "/")
    assert ">My tasks<" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/").content.decode()
    assert ">我的待办<" in page and "My tasks" not in page


# ---------------------------------------------------------------- a deployment in English


def test_an_english_deployment_notifies_and_mails_in_english(world, settings, django_capture_on_commit_callbacks,
                                                             monkeypatch):
    """With the site's language English, every event's notification and e-mail reads English;
    only the data (titles, names) stays as it was written."""
    import datetime

    from django.core import mail

    from notifications.models import Notification
    from notifications.services import send_daily_reminders
    from proposals import extensions, releases
    from proposals import services as ps
    from replies import services as rs
    from tests.factories import AgencyFactory, user_in

    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(ps.common, "today", lambda: datetime.date(2023, 3, 2))
    for user in (world.liaison, world.lead_officer, world.lead_approver, world.co_officer, world.co_approver):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    right = AgencyFactory(code="right", name="Right Bureau", short_name="Right Bureau", title_name="Right")
    user_in(right, "officer")
    with django_capture_on_commit_callbacks(execute=True):
        proposal = world.assigned(title="On parks")
        first = proposal.recommendations.get(ordinal=1)
        section = rs.section_create(recommendation=first, agency=world.lead, adoption="adopted",
                                    body="Done.", actor=world.lead_officer)
        rs.section_submit(section=section, actor=world.lead_officer)
        rs.section_return(section=section, actor=world.lead_approver, reason="More detail.")
        lead = proposal.assignments.get(agency=world.lead)
        request = extensions.extension_request(assignment=lead, due_on=datetime.date(2023, 7, 1),
                                               reason="Waiting for budget.", actor=world.lead_officer)
        extensions.extension_reject(request=request, actor=world.liaison, note="Please keep the date.")
        release = releases.release_request(assignment=proposal.assignments.get(agency=world.co),
                                           reason="Not ours.", suggested_agency=right, actor=world.co_officer)
        releases.release_approve(request=release, actor=world.liaison, agency=right)
    send_daily_reminders(today=datetime.date(2023, 7, 2))
    data = re.compile("|".join(map(re.escape, ["市工商联", "市民政局", "测试市工商业联合会", "测试市民政局",
                                               "民建测试市委会"])))
    kinds = set()
    for notification in Notification.objects.all():
        kinds.add(notification.kind)
        words = data.sub("", f"{notification.title}\n{notification.text}")
        assert not CJK.search(words), (notification.kind, words)
    assert {"assigned", "section_submitted", "section_returned", "extension_requested", "extension_decided",
            "release_requested", "release_decided", "due_reminder"} <= kinds
    assert mail.outbox
    for message in mail.outbox:
        words = data.sub("", f"{message.subject}\n{message.body}")
        assert not CJK.search(words), words
