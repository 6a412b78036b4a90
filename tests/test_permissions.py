"""Every URL of the application, walked by every role, against the permission table.

The table below is the permission model in one place: one row per URL name and
method (and, where it matters, per object), one column per role. A URL the table does
not list fails the walk, so a new page cannot be added without deciding who may use it.

Outcomes:
    ok         the page (200), or for a POST that changes something its redirect (302)
    login      a redirect to the login page
    forbidden  403, on the site's page saying 没有权限
    missing    404, on the site's page saying 页面不存在: the object does not exist for them
    refused    the user may make the request but the move is refused: the form again with
               the reason (200), or a redirect with an error message; nothing changes

The world: a proposal being handled by a lead agency and a co-handler, with sections of
both agencies in every state and one recommendation still open; a draft letter, a letter
waiting to be signed and a signed letter (each on its own proposal); a finished print
job; a proposal submitted, one registered; and a proposal assigned only to a third
agency. Every request runs in a savepoint that is rolled back, so each role meets the
same world; a refusal, a GET and a request sent to the login page change nothing.
"""

from __future__ import annotations

import dataclasses
import datetime
import io

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from followup.models import Commitment
from history.models import StateChange
from members import services as members
from members.models import OnlineProposal
from notifications.models import Notification, SmsMessage
from proposals.models import (
    Assignment,
    Contact,
    ExtensionRequest,
    Feedback,
    Proposal,
    ProposalAttachment,
    ReleaseRequest,
    Signature,
)
from replies import services as rs
from replies.models import AdoptionStatus, LetterAttachment, ReplyLetter, Section
from tests import factories
from tests.factories import AgencyFactory, letter_in_state, proposal_in_state, user_in

# Every test here reads the test database (the module's world is built in it).
# The module's world is built once (a module fixture): its tests stay on one worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("test_permissions")]

STAFF_ROLES = (
    "anonymous", "liaison", "office", "lead_officer", "lead_approver",
    "co_officer", "co_approver", "third_officer", "superuser",
)
# Proposer accounts: a member who signs the replied and the handled proposal and writes a
# draft online; a member who co-signs the replied proposal and is invited to co-sign the
# draft; and a party committee's account that is on none of them.
PROPOSER_ROLES = ("member", "cosigner", "outsider")
ROLES = STAFF_ROLES + PROPOSER_ROLES
OUTCOMES = {"ok", "login", "forbidden", "missing", "refused"}
PART_URLS = {"replies:letter_part", "replies:letter_part_reset"}

# The reason the co-handler's approver gave for returning its draft: read only inside that
# agency and by liaison staff, on every page and in the admin.
INTERNAL_REASON = "会办单位内部的退回理由：数据口径需核对。"

# The object each URL is called on unless a row names another. The proposal being
# handled is assigned to the lead and the co-handling agency; "third" is assigned only
# to a third agency.
TARGETS = {
    "proposals:detail": "proposal.handled",
    "proposals:edit": "proposal.submitted",
    "proposals:register": "proposal.submitted",
    "proposals:convert": "proposal.submitted",
    "proposals:withdraw": "proposal.submitted",
    "proposals:merge": "proposal.submitted",
    "proposals:assign": "proposal.registered",
    "proposals:assignment_add": "proposal.handled",
    "proposals:assignment_due": "assignment.lead",
    "proposals:assignment_remove": "assignment.unused",
    "proposals:extension_request": "assignment.lead",
    "proposals:extension_decide": "extension.pending",
    "proposals:extension_withdraw": "extension.pending",
    "proposals:release_request": "assignment.lead",
    "proposals:contact_create": "proposal.handled",
    "proposals:attachment_add": "proposal.handled",
    "proposals:attachment": "attachment.handled",
    "proposals:attachment_delete": "attachment.handled",
    "replies:letter_attachment_add": "letter.draft",
    "replies:letter_attachment": "attachment.letter",
    "replies:letter_attachment_delete": "attachment.letter",
    "proposals:contact_delete": "contact.lead",
    "proposals:release_decide": "release.pending",
    "followup:detail": "commitment.lead",
    "proposals:release_withdraw": "release.pending",
    "proposals:feedback": "proposal.replied",
    "proposals:close": "proposal.replied",
    "proposals:reopen": "proposal.replied",
    "replies:letter_pdf": "letter.signed",
    "replies:letter_draft_pdf": "letter.draft",
    "replies:print_job": "job.done",
    "replies:print_job_progress": "job.done",
    "replies:print_job_download": "job.done",
    "replies:print_job_retry": "job.done",
    "replies:print_job_issue": "job.done",
    "replies:handling": "proposal.handled",
    "replies:letter_create": "proposal.handled",
    "replies:section_create": "recommendation.open",
    "replies:section_edit": "section.lead_draft",
    "replies:section_submit": "section.lead_draft",
    "replies:section_approve": "section.lead_submitted",
    "replies:section_return": "section.lead_submitted",
    "replies:section_revise": "section.lead_approved",
    "replies:letter_detail": "letter.draft",
    "replies:letter_update": "letter.draft",
    "replies:letter_set_class": "letter.draft",
    "replies:letter_move": "letter.draft",
    "replies:letter_part": "letter.draft",
    "replies:letter_part_reset": "letter.draft",
    "replies:letter_submit": "letter.draft",
    "replies:letter_sign": "letter.review",
    "replies:letter_return": "letter.review",
    "replies:letter_void": "letter.signed",
    "replies:letter_issue": "letter.signed",
    "notifications:read": "notification.lead_officer",
    "replies:letter_publication": "letter.signed",
    "members:online": "online.draft",
    "members:invite": "online.draft",
    "members:attachment_add": "online.draft",
    "members:submit": "online.draft",
    "members:online_delete": "online.draft",
    "members:invitation_answer": "invitation.pending",
    "members:invitation_remove": "invitation.pending",
    "members:attachment": "attachment.draft",
    "members:attachment_delete": "attachment.draft",
    "members:proposal": "proposal.replied",
    "members:letter_pdf": "letter.signed",
    "members:account_active": "account.outsider",
    "public:letter": "letter.signed",
    "public:letter_pdf": "letter.signed",
}

# "-" in the object column: the URL's object from TARGETS (or none).
TABLE = """
URL name                      method object                anonymous liaison   office    lead_off  lead_appr co_off    co_appr   third_off superuser member    cosigner  outsider
home                          GET    -                     login     ok        ok        ok        ok        ok        ok        ok        ok ok        ok        ok
proposals:list                GET    -                     login     ok        ok        ok        ok        ok        ok        ok        ok forbidden forbidden forbidden
proposals:dashboard           GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:create              GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:create              POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:rows                POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:split               POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:detail              GET    -                     login     ok        ok        ok        ok        ok        ok        missing   ok forbidden forbidden forbidden
proposals:detail              GET    proposal.third        login     ok        ok        missing   missing   missing   missing   ok        ok forbidden forbidden forbidden
proposals:edit                GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:edit                POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:register            GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:register            POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:register            POST   proposal.handled      login     refused   forbidden forbidden forbidden forbidden forbidden forbidden refused forbidden forbidden forbidden
proposals:convert             GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:convert             POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:withdraw            GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:withdraw            POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:merge               POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:merge               POST   proposal.handled      login     refused   forbidden forbidden forbidden forbidden forbidden forbidden refused forbidden forbidden forbidden
proposals:assign              GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:assign              POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:assignment_add      GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:assignment_add      POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:assignment_due      GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:assignment_due      POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:assignment_remove   GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:assignment_remove   POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:assignment_remove   POST   assignment.co         login     refused   forbidden forbidden forbidden forbidden forbidden forbidden refused forbidden forbidden forbidden
proposals:extension_request   GET    -                     login     forbidden forbidden ok        ok        forbidden forbidden missing   ok forbidden forbidden forbidden
proposals:extension_request   POST   -                     login     forbidden forbidden ok        ok        forbidden forbidden missing   ok forbidden forbidden forbidden
proposals:extensions          GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:extension_decide    GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:extension_decide    POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:extension_withdraw  POST   -                     login     missing   missing   missing   missing   ok        ok        missing   ok forbidden forbidden forbidden
proposals:release_request     GET    -                     login     forbidden forbidden ok        ok        forbidden forbidden missing   ok forbidden forbidden forbidden
proposals:release_request     POST   -                     login     forbidden forbidden refused   refused   forbidden forbidden missing   refused forbidden forbidden forbidden
proposals:releases            GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:release_decide      GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:release_decide      POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:release_withdraw    POST   -                     login     missing   missing   missing   missing   ok        ok        missing   ok forbidden forbidden forbidden
proposals:contact_create      GET    -                     login     forbidden forbidden ok        ok        ok        ok        missing   ok forbidden forbidden forbidden
proposals:contact_create      POST   -                     login     forbidden forbidden ok        ok        ok        ok        missing   refused forbidden forbidden forbidden
proposals:contact_delete      POST   -                     login     forbidden forbidden ok        ok        forbidden forbidden missing   ok forbidden forbidden forbidden
proposals:contacts_missing    GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:attachment_add      POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:attachment          GET    -                     login     ok        ok        ok        ok        ok        ok        missing   ok forbidden forbidden forbidden
proposals:attachment_delete   POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
replies:letter_attachment_add POST   -                     login     forbidden missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_attachment     GET    -                     login     ok        missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_attachment_delete POST -                    login     forbidden missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
proposals:feedback            GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:feedback            POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:close               GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:close               POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:reopen              GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
proposals:reopen              POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
replies:inbox                 GET    -                     login     ok        ok        ok        ok        ok        ok        ok        ok forbidden forbidden forbidden
replies:handling              GET    -                     login     ok        ok        ok        ok        ok        ok        missing   ok forbidden forbidden forbidden
replies:handling              GET    proposal.third        login     ok        ok        missing   missing   missing   missing   ok        ok forbidden forbidden forbidden
replies:section_create        GET    -                     login     forbidden forbidden ok        ok        ok        ok        missing   ok forbidden forbidden forbidden
replies:section_create        POST   -                     login     forbidden forbidden ok        ok        ok        ok        missing   ok forbidden forbidden forbidden
replies:section_edit          GET    -                     login     forbidden missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:section_edit          POST   -                     login     forbidden missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:section_edit          GET    section.co_draft      login     forbidden missing   missing   missing   ok        ok        missing   ok forbidden forbidden forbidden
replies:section_edit          POST   section.co_submitted  login     forbidden forbidden forbidden forbidden refused   refused   missing   refused forbidden forbidden forbidden
replies:section_submit        POST   -                     login     forbidden missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:section_submit        POST   section.co_draft      login     forbidden missing   missing   missing   ok        ok        missing   ok forbidden forbidden forbidden
replies:section_submit        POST   section.third_draft   login     forbidden missing   missing   missing   missing   missing   ok        ok forbidden forbidden forbidden
replies:section_submit        POST   section.lead_submitted login    forbidden forbidden refused   refused   forbidden forbidden missing   refused forbidden forbidden forbidden
replies:section_approve       POST   -                     login     forbidden forbidden forbidden ok        forbidden forbidden missing   ok forbidden forbidden forbidden
replies:section_approve       POST   section.co_submitted  login     forbidden forbidden forbidden forbidden forbidden ok        missing   ok forbidden forbidden forbidden
replies:section_return        POST   -                     login     forbidden forbidden forbidden ok        forbidden forbidden missing   ok forbidden forbidden forbidden
replies:section_revise        POST   -                     login     forbidden forbidden ok        ok        forbidden forbidden missing   ok forbidden forbidden forbidden
replies:letter_create         POST   -                     login     forbidden forbidden ok        ok        forbidden forbidden missing   ok forbidden forbidden forbidden
replies:letter_detail         GET    -                     login     ok        missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_update         POST   -                     login     forbidden missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_set_class      POST   -                     login     forbidden missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_move           POST   -                     login     forbidden missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_part           GET    -                     login     ok        missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_part           POST   -                     login     refused   missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_part_reset     POST   -                     login     refused   missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_submit         POST   -                     login     forbidden missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_submit         POST   letter.review         login     forbidden missing   refused   refused   missing   missing   missing   refused forbidden forbidden forbidden
replies:letter_sign           POST   -                     login     forbidden missing   forbidden ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_return         POST   -                     login     forbidden missing   forbidden ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_void           POST   -                     login     forbidden forbidden forbidden ok        forbidden forbidden missing   ok forbidden forbidden forbidden
replies:sections_approve_batch POST  -                     login     refused   refused   refused   ok        refused   refused   refused   ok forbidden forbidden forbidden
replies:letters_sign_batch    POST   -                     login     refused   refused   refused   ok        refused   refused   refused   ok forbidden forbidden forbidden
replies:letter_issue          POST   -                     login     forbidden ok        forbidden ok        forbidden forbidden missing   ok forbidden forbidden forbidden
replies:letter_issue          POST   letter.draft          login     forbidden missing   forbidden refused   missing   missing   missing   refused forbidden forbidden forbidden
replies:letter_pdf            GET    -                     login     ok        ok        ok        ok        ok        ok        missing   ok forbidden forbidden forbidden
replies:letter_pdf            GET    letter.draft          login     ok        missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:letter_draft_pdf      GET    -                     login     ok        missing   ok        ok        missing   missing   missing   ok forbidden forbidden forbidden
replies:printable_letters     GET    -                     login     ok        ok        forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
replies:print_job_create      POST   -                     login     ok        ok        forbidden forbidden forbidden forbidden forbidden ok forbidden forbidden forbidden
replies:print_job             GET    -                     login     ok        ok        missing   missing   missing   missing   missing   ok forbidden forbidden forbidden
replies:print_job_progress    GET    -                     login     ok        ok        missing   missing   missing   missing   missing   ok forbidden forbidden forbidden
replies:print_job_download    GET    -                     login     ok        ok        missing   missing   missing   missing   missing   ok forbidden forbidden forbidden
replies:print_job_retry       POST   -                     login     refused   refused   missing   missing   missing   missing   missing   refused forbidden forbidden forbidden
replies:print_job_issue       POST   -                     login     refused   ok        missing   missing   missing   missing   missing   ok forbidden forbidden forbidden
replies:letters_issue_batch   POST   -                     login     refused   ok        refused   ok        refused   refused   refused   ok forbidden forbidden forbidden
search:results                GET    -                     login     ok        ok        ok        ok        ok        ok        ok        ok forbidden forbidden forbidden
notifications:list            GET    -                     login     ok        ok        ok        ok        ok        ok        ok        ok ok        ok        ok
notifications:read            POST   -                     login     missing   missing   ok        missing   missing   missing   missing   missing missing   missing   missing
notifications:read_all        POST   -                     login     ok        ok        ok        ok        ok        ok        ok        ok ok        ok        ok
replies:letter_publication    POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok        forbidden forbidden forbidden
sms_login                     GET    -                     ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok
sms_login                     POST   -                     ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok
members:home                  GET    -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        ok        ok
members:online_create         GET    -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        ok        ok
members:online_create         POST   -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        ok        ok
members:online                GET    -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        ok        missing
members:online                POST   -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        forbidden missing
members:invite                POST   -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        refused   missing
members:attachment_add        POST   -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        refused   missing
members:submit                POST   -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden refused   refused   missing
members:submit                POST   online.ready          login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        missing   missing
members:online_delete         POST   -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        refused   missing
members:invitation_answer     POST   -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden missing   ok        missing
members:invitation_remove     POST   -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        missing   missing
members:attachment            GET    -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        ok        missing
members:attachment_delete     POST   -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        refused   missing
members:proposal              GET    -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        ok        missing
members:proposal              POST   -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        ok        missing
members:proposal              GET    proposal.handled      login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        missing   missing
members:proposal              GET    proposal.third        login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden missing   missing   missing
members:letter_pdf            GET    -                     login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden ok        ok        missing
members:letter_pdf            GET    letter.review         login     forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden missing   missing   missing
members:accounts              GET    -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok        forbidden forbidden forbidden
members:accounts              POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok        forbidden forbidden forbidden
members:accounts_import       POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok        forbidden forbidden forbidden
members:account_active        POST   -                     login     ok        forbidden forbidden forbidden forbidden forbidden forbidden ok        forbidden forbidden forbidden
followup:list                 GET    -                     login     ok        forbidden ok        ok        ok        ok        ok        ok        forbidden forbidden forbidden
followup:detail               GET    -                     login     ok        forbidden ok        ok        ok        ok        missing   ok        forbidden forbidden forbidden
followup:detail               POST   -                     login     forbidden forbidden ok        ok        forbidden forbidden missing   ok        forbidden forbidden forbidden
public:list                   GET    -                     ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok
public:letter                 GET    -                     ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok
public:letter                 GET    letter.draft          missing   missing   missing   missing   missing   missing   missing   missing   missing   missing   missing   missing
public:letter                 GET    letter.review         missing   missing   missing   missing   missing   missing   missing   missing   missing   missing   missing   missing
public:letter_pdf             GET    -                     ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok
public:letter_pdf             GET    letter.draft          missing   missing   missing   missing   missing   missing   missing   missing   missing   missing   missing   missing
verify                        GET    -                     ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok
verify                        POST   -                     ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok        ok
"""

# POSTs that answer with a page or a fragment and change nothing, even when allowed: the
# rows and split fragments redraw a form being filled in.
NOTHING_SAVED = {"proposals:rows", "proposals:split", "sms_login", "verify"}

# Django's own pages: the admin checks staff itself; the language switch and the login
# and logout pages are for everyone (tested with the home page and the language switch).
# The health checks are for everyone too.
NOT_WALKED = ("admin", "django.conf.urls.i18n", "django.contrib.auth.urls",
              # The login page and the health checks: open to everyone (tests/test_login_throttle.py,
              # tests/test_health.py).
              "core.urls_public")


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    method: str
    target: str | None
    outcomes: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.method} {self.name}" + (f" [{self.target}]" if self.target else "")


def _rows(table: str) -> list[Row]:
    rows = []
    for line in table.strip().splitlines()[1:]:
        name, method, target, *outcomes = line.split()
        assert len(outcomes) == len(ROLES), line
        assert set(outcomes) <= OUTCOMES, line
        assert method in ("GET", "POST"), line
        rows.append(Row(name, method, TARGETS.get(name) if target == "-" else target, tuple(outcomes)))
    return rows


ROWS = _rows(TABLE)


def project_urls() -> dict[str, set[str]]:
    """Every named URL of the project outside Django's own pages: name → its arguments."""
    found: dict[str, set[str]] = {}

    def walk(patterns, namespace: str, route: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                module = getattr(pattern.urlconf_name, "__name__", pattern.urlconf_name)
                if pattern.namespace in NOT_WALKED or module in NOT_WALKED:
                    continue
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace \
                    else pattern.namespace or namespace
                walk(pattern.url_patterns, inner, route + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                name = pattern.name or f"(unnamed) {route}{pattern.pattern}"
                full = f"{namespace}:{name}" if namespace else name
                found[full] = set(pattern.pattern.converters)

    walk(get_resolver().url_patterns, "", "/")
    return found


# ---------------------------------------------------------------- the world


@dataclasses.dataclass
class Walk:
    users: dict[str, object]
    objects: dict[str, object]
    media: str
    adoption: int
    session: int
    lead: int
    third: int
    move_section: int
    baseline: dict = dataclasses.field(default_factory=dict)

    def url(self, row: Row) -> str:
        if row.target is None:
            return reverse(row.name)
        kwargs = {"pk": self.objects[row.target].pk}
        if row.name in PART_URLS:  # the part of the letter the lead has worded
            kwargs["ordinal"] = 2
        return reverse(row.name, kwargs=kwargs)

    def form(self, row: Row) -> dict:
        """A form an allowed role would send; for the others it must change nothing."""
        name = row.name.rpartition(":")[2]
        obj = self.objects.get(row.target)
        if row.name == "proposals:create":
            return proposal_form(self.session)
        if row.name == "verify":
            return {"code": self.objects["letter.signed"].verify_code}
        if name == "sections_approve_batch":
            return {"section": str(self.objects["section.lead_submitted"].pk)}
        if name == "letters_issue_batch":
            return {"letter": str(self.objects["letter.signed"].pk)}
        if name == "letters_sign_batch":
            return {"letter": str(self.objects["letter.review"].pk), "signed_on": "2023-07-07"}
        if row.name == "proposals:edit":
            return {**proposal_form(self.session), "version": str(Proposal.objects.get(pk=obj.pk).version)}
        if name == "rows":
            return {"op": "recommendations:add", "recommendations-TOTAL_FORMS": "1",
                    "recommendations-0-title": "", "recommendations-0-body": ""}
        if name == "merge":
            return {"into": str(self.objects["proposal.registered"].pk), "reason": "内容基本相同。"}
        if name == "split":
            return {"body": "一、加强站点管理。\n二、完善接驳制度。", "mode": "replace"}
        if name in ("register", "close"):
            return {"reason": ""}
        if name in ("convert", "withdraw", "reopen", "assignment_remove", "section_return",
                    "section_revise"):
            return {"reason": "经研究，按此办理。"}
        if name == "assign":
            return {
                "assignments-TOTAL_FORMS": "1", "assignments-INITIAL_FORMS": "0",
                "assignments-0-agency": str(self.lead), "assignments-0-role": "lead",
                "assignments-0-assigned_on": "2023-03-01", "assignments-0-due_on": "",
            }
        if name == "assignment_add":
            return {"agency": str(self.third), "role": "co", "assigned_on": "2023-03-02",
                    "due_on": "", "reason": "涉及第三局职责。"}
        if name == "extension_request":
            return {"due_on": "2023-12-31", "reason": "需等待规划调整。"}
        if name == "extension_decide":
            return {"decision": "approve", "due_on": "", "note": ""}
        if name in ("attachment_add", "letter_attachment_add"):
            out = io.BytesIO()
            Image.new("RGB", (2, 2), (255, 0, 0)).save(out, "PNG")
            png = out.getvalue()
            photo = SimpleUploadedFile("photo.png", png, content_type="image/png")
            if name == "letter_attachment_add":
                return {"attachment-title": "现场照片", "attachment-file": photo}
            return {"file": photo}
        if name == "contact_create":
            return {"contacted_on": "2023-04-10", "way": "phone", "participants": "提案者；本单位经办人",
                    "note": "电话听取意见。", "agency": ""}
        if name == "release_request":
            return {"reason": "不属于本单位职责。", "suggested_agency": str(self.third)}
        if name == "detail" and row.name == "followup:detail":
            version = Commitment.objects.get(pk=obj.pk).version
            return {"status": "kept", "text": "已建成。", "version": str(version)}
        if name == "release_decide":
            return {"decision": "approve", "agency": str(self.third), "assigned_on": "", "due_on": "",
                    "note": ""}
        if name == "assignment_due":
            return {"due_on": "2023-12-31", "reason": "承办单位申请延期。",
                    "version": str(Assignment.objects.get(pk=obj.pk).version)}
        if name == "feedback":
            return {"handling": "satisfied", "result": "satisfied", "received_on": "2023-08-01",
                    "comment": "", "recorded": "0"}
        if row.name.startswith("members:"):
            return members_form(self, row, name)
        if name == "letter_publication":
            return {"reason": "涉及个人隐私，暂不公开。"}
        if name == "sms_login":
            return {"code": "123456"}
        if name == "print_job_create":
            return {"session": str(self.session), "agency": "", "format": "pdf", "seal": "1"}
        if name == "letter_create":
            return {"agency": str(self.lead)}
        if name == "section_create":
            return {"agency": str(self.lead), "adoption": str(self.adoption), "body": "正在办理。"}
        if name == "section_edit":
            version = Section.objects.get(pk=obj.pk).version
            return {"adoption": str(self.adoption), "body": "修改后的办理意见。", "version": str(version)}
        if name == "letter_update":
            from replies.forms import LetterForm

            letter = ReplyLetter.objects.get(pk=obj.pk)
            data = {k: ("" if v is None else v) for k, v in LetterForm.initial_for(letter).items()}
            data["closing"] = "特此函复。"
            return data
        if name == "letter_set_class":
            return {"klass": django_settings.LETTER_CLASSES[0], "reason": "按办理结果确定。"}
        if name == "letter_part":
            return {"p-TOTAL_FORMS": "1", "p-INITIAL_FORMS": "1", "p-0-text": "本单位改写的一段。",
                    "version": str(ReplyLetter.objects.get(pk=obj.pk).version)}
        if name == "letter_part_reset":
            return {"version": str(ReplyLetter.objects.get(pk=obj.pk).version)}
        if name == "letter_move":
            return {"section": str(self.move_section), "direction": "down"}
        if name == "letter_sign":
            return {"signed_on": "2023-07-07"}
        if name == "letter_return":
            return {"return-reason": "请补充数据。"}
        if name == "letter_void":
            return {"void-reason": "文字有误。"}
        return {}


def members_form(walk: Walk, row: Row, name: str) -> dict:
    """The forms of the proposer side and of the liaison staff's account pages."""
    if name in ("online_create", "online"):
        data = {"session": str(walk.session), "title": "关于增设社区长者饭堂的建议", "category": "",
                "body": "", "recommendations": "一、在人口密集社区增设长者饭堂", "cosign_deadline": "",
                "version": ""}
        if name == "online":
            online = OnlineProposal.objects.get(pk=walk.objects[row.target].pk)
            data.update(version=str(online.version), cosign_deadline=online.cosign_deadline.isoformat())
        return data
    if name == "invite":
        return {"name": walk.objects["account.outsider"].proposer.name}
    if name == "attachment_add":
        out = io.BytesIO()
        Image.new("RGB", (2, 2), (0, 0, 255)).save(out, "PNG")
        return {"file": SimpleUploadedFile("调研照片.png", out.getvalue(), content_type="image/png")}
    if name == "invitation_answer":
        return {"answer": "confirm"}
    if name == "proposal":
        return {"handling": "satisfied", "result": "basically_satisfied", "comment": ""}
    if name == "accounts":
        return {"new-username": "walk-new", "new-name": "新委员", "new-kind": "member", "new-display_name": "",
                "new-sector": "", "new-mobile": "", "new-email": "", "new-password": "walk-pass-2023"}
    if name == "accounts_import":
        book = openpyxl.Workbook()
        book.active.append(["姓名", "界别", "手机", "电子邮箱"])
        book.active.append(["导入委员", "教育界", "13900139000", ""])
        out = io.BytesIO()
        book.save(out)
        return {"import-file": SimpleUploadedFile("委员.xlsx", out.getvalue()), "import-password": "walk-pass-2023"}
    if name == "account_active":
        return {"active": "0"}
    return {}


def proposal_form(session: int) -> dict:
    return {
        "session": str(session), "number": "", "title": "关于优化公共自行车站点布局的建议",
        "category": "", "submitted_on": "2023-01-10", "body": "",
        "proposers-TOTAL_FORMS": "1", "proposers-INITIAL_FORMS": "0",
        "proposers-0-name": "九三学社测试市委会", "proposers-0-kind": "party",
        "recommendations-TOTAL_FORMS": "1", "recommendations-INITIAL_FORMS": "0",
        "recommendations-0-title": "按客流数据调整站点", "recommendations-0-body": "",
    }


def _attached(row, name: str):
    """A stored attachment row with a small image as its file."""
    row.name, row.kind, row.content_type, row.size, row.sha256 = name, "png", "image/png", 3, "0" * 64
    row.file.save(name, ContentFile(b"png"), save=False)
    row.save()
    return row


def build_walk(media: str) -> Walk:
    world = factories.World.build()
    third = AgencyFactory(code="third", name="测试市第三局", short_name="市第三局",
                          title_name="测试市第三局")
    third_officer = user_in(third, "officer")
    lead, co = world.lead, world.co
    by_lead = {"officer": world.lead_officer, "approver": world.lead_approver}
    by_co = {"officer": world.co_officer, "approver": world.co_approver}

    # Being handled: sections of both agencies in every state, the fourth recommendation open.
    handled = world.assigned(recommendations=4)
    r1, r2, r3, r4 = handled.recommendations.order_by("ordinal")
    sections = {}
    for agency, staff, key in ((lead, by_lead, "lead"), (co, by_co, "co")):
        for recommendation, state in ((r1, "draft"), (r2, "submitted"), (r3, "approved")):
            sections[f"section.{key}_{state}"] = factories.section_by(
                recommendation, agency, state, body=f"{key}_{state}的办理意见。", **staff)

    # The co-handler's draft went to its approver and came back with a reason: a step
    # inside the co-handling agency, which the lead agency and the office never read.
    co_draft = sections["section.co_draft"]
    rs.section_submit(section=co_draft, actor=world.co_officer)
    rs.section_return(section=co_draft, actor=world.co_approver, reason=INTERNAL_REASON)

    # A draft letter whose first recommendation has the lead's and the co-handler's parts.
    drafted = world.assigned()
    for recommendation in drafted.recommendations.order_by("ordinal"):
        world.approved_section(recommendation, lead)
    first = drafted.recommendations.get(ordinal=1)
    world.approved_section(first, co)
    draft = rs.letter_create(proposal=drafted, agency=lead, actor=world.lead_officer)
    # its second part worded by the lead
    rs.letter_word_part(letter=draft, ordinal=2, paragraphs=[{"text": "本单位的措辞。", "sources": []}],
                        actor=world.lead_officer)
    move_section = Section.objects.get(recommendation=first, agency=lead)

    review = letter_in_state(world, "in_review")
    signed = letter_in_state(world, "signed")
    rs.letter_store_pdf(letter=signed)

    other = factories.proposal_for(world, third)
    sections["section.third_draft"] = factories.section_by(
        other.recommendations.get(ordinal=1), third, "draft", officer=third_officer)

    objects = {
        "proposal.submitted": proposal_in_state(world, Proposal.State.SUBMITTED),
        "proposal.registered": proposal_in_state(world, Proposal.State.REGISTERED),
        "proposal.handled": handled,
        "proposal.replied": signed.proposal,
        "proposal.third": other,
        "assignment.lead": handled.assignments.get(agency=lead),
        "assignment.co": handled.assignments.get(agency=co),
        "assignment.unused": review.proposal.assignments.get(agency=co),
        "extension.pending": ExtensionRequest.objects.create(
            assignment=handled.assignments.get(agency=co), current_due_on=handled.assignments.get(
                agency=co).due_on, requested_due_on=datetime.date(2023, 12, 31),
            reason="需等待专项资金批复。", requested_by=world.co_officer),
        "release.pending": ReleaseRequest.objects.create(
            proposal=review.proposal, agency=co, assignment=review.proposal.assignments.get(agency=co),
            role="co", assigned_on=review.proposal.assignments.get(agency=co).assigned_on,
            reason="不属于本单位职责。", requested_by=world.co_officer),
        "contact.lead": Contact.objects.create(
            proposal=handled, agency=lead, contacted_on=datetime.date(2023, 4, 1), way="meeting",
            participants="提案者；市工商联会员部", recorded_by=world.lead_officer),
        "attachment.handled": _attached(ProposalAttachment(proposal=handled), "调研报告.png"),
        "attachment.letter": _attached(LetterAttachment(letter=draft, title="名录", pages=1), "名录.png"),
        "recommendation.open": r4,
        **sections,
        "letter.draft": draft,
        "letter.review": review,
        "letter.signed": signed,
        "job.done": factories.finished_print_job(world, requested_by=world.office),
        "commitment.lead": Commitment.objects.create(
            section=sections["section.lead_approved"], proposal=handled, agency=lead,
            what="年内建成产业园一期。", due_on=datetime.date(2023, 12, 31),
            made_at=datetime.datetime(2023, 6, 1, tzinfo=datetime.UTC)),
    }
    assert objects["proposal.replied"].state == Proposal.State.REPLIED
    # The finished batch printed the signed letter (so confirming it marks that letter 已印发).
    objects["job.done"].letter_ids = [signed.pk]
    objects["job.done"].save(update_fields=["letter_ids"])
    objects["statechange.co_return"] = StateChange.objects.get(action="return", object_id=co_draft.pk)
    objects["statechange.assign"] = StateChange.objects.get(action="assign", proposal=handled)
    objects.update(_proposer_side(world, handled, signed))
    objects["feedback.third"] = Feedback.objects.create(
        proposal=other, round=1, received_on=datetime.date(2023, 8, 1), handling="satisfied",
        result="satisfied", recorded_by=world.liaison)
    users = {
        "anonymous": None,
        "liaison": world.liaison,
        "office": world.office,
        "lead_officer": world.lead_officer,
        "lead_approver": world.lead_approver,
        "co_officer": world.co_officer,
        "co_approver": world.co_approver,
        "third_officer": third_officer,
        "superuser": factories.superuser(),
        **{role: objects[f"account.{role}"].user for role in PROPOSER_ROLES},
    }
    # Everyone signed in has an unread notification; only its recipient may mark it read.
    # Everyone is staff, as in the demo, so that the admin lets them in and its own rules
    # decide what they see there (tests/test_admin_permissions.py).
    for role, user in users.items():
        if user is not None:
            if role not in PROPOSER_ROLES:  # proposers are not staff, as in the demo
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            objects[f"notification.{role}"] = Notification.objects.create(
                recipient=user, kind=Notification.Kind.ASSIGNED, title=f"{role}的通知")
    return Walk(
        users=users, objects=objects, media=media,
        adoption=AdoptionStatus.objects.get(code="adopted").pk, session=world.session.pk,
        lead=lead.pk, third=third.pk, move_section=move_section.pk,
    )


def _proposer_side(world, handled, signed) -> dict:
    """Three proposer accounts; the member signs the handled and the replied proposal, the
    co-signer the replied one; the member's draft (the co-signer invited, a file attached)
    and a second draft ready to submit. The session takes submissions now and its feedback
    period is long enough for the replied proposal to be rated today."""
    today = datetime.date.today()
    session = world.session
    session.submission_opens_on = today - datetime.timedelta(days=30)
    session.submission_closes_on = today + datetime.timedelta(days=30)
    session.feedback_due_amount, session.feedback_due_unit = 120, "calendar_months"
    session.save()
    accounts = {
        role: members.account_create(username=f"walk-{role}", name=name, kind=kind, mobile=mobile,
                                     password="walk-pass-2023")
        for role, name, kind, mobile in (
            ("member", "走查委员甲", "member", "13800000001"),
            ("cosigner", "走查委员乙", "member", "13800000002"),
            ("outsider", "走查党派市委会", "party", "13800000003"),
        )
    }
    member, cosigner = accounts["member"].proposer, accounts["cosigner"].proposer
    for proposal, proposer in ((handled, member), (signed.proposal, member), (signed.proposal, cosigner)):
        Signature.objects.create(proposal=proposal, proposer=proposer, role="co-signer", position=9)
    draft = members.online_save(proposer=member, session=session, title="关于完善社区托育服务的建议",
                                recommendations=[{"title": "增加社区托育点", "body": ""}],
                                cosign_deadline=today + datetime.timedelta(days=10))
    invitation = members.invitation_add(online=draft, proposer=member, name=cosigner.name)
    out = io.BytesIO()
    Image.new("RGB", (2, 2), (0, 255, 0)).save(out, "PNG")
    attachment = members.attachment_add(online=draft, proposer=member, upload=SimpleUploadedFile(
        "托育调查.png", out.getvalue(), content_type="image/png"))
    ready = members.online_save(proposer=member, session=session, title="关于加强社区体育设施维护的建议",
                                recommendations=[{"title": "建立体育设施维护责任清单", "body": ""}])
    sms = SmsMessage.objects.create(recipient=accounts["member"].user, mobile="13800000001", purpose="reviewed",
                                    text="提案审查结果：已立案", state=SmsMessage.State.SENT, backend="console")
    return {**{f"account.{role}": account for role, account in accounts.items()}, "sms.member": sms,
            "online.draft": draft, "online.ready": ready, "invitation.pending": invitation,
            "attachment.draft": attachment}


# ---------------------------------------------------------------- one request, classified

WATCHED = [
    model for label in ("agencies", "proposals", "replies", "notifications", "members")
    for model in apps.get_app_config(label).get_models()
]
# Accounts too (their sign-in time aside): disabling one is a change.
USER_FIELDS = ("username", "is_active", "is_staff", "is_superuser", "email", "password")


def snapshot() -> dict:
    """Every row of the application's tables, to tell whether a request changed anything."""
    rows = {model._meta.label: list(model.objects.order_by("pk").values_list())
            for model in WATCHED}
    rows["auth.User"] = list(apps.get_model("auth", "User").objects.order_by("pk").values_list(*USER_FIELDS))
    return rows


def outcome(response, method: str) -> str:
    status = response.status_code
    if status == 302 and response["Location"].startswith(reverse("login") + "?next="):
        return "login"
    body = response.content.decode() if "html" in response.get("Content-Type", "") else ""
    if status == 403:
        return "forbidden" if "没有权限" in body else "403 without the clear page"
    if status == 404:
        return "missing" if "页面不存在" in body else "404 without the clear page"
    if status not in (200, 302):
        return f"status {status}"
    errors = [m for m in get_messages(response.wsgi_request) if m.level >= messages.ERROR]
    if errors or (method == "POST" and status == 200 and 'role="alert"' in body):
        return "refused"
    if method == "POST" and status == 200:
        return "ok (200)"
    return "ok"


def request(walk: Walk, row: Row, role: str, method: str | None = None):
    """Send the row's request as ``role``; returns (response, whether the data changed).

    Every request starts from the walk's world as built, so it is compared with that."""
    client = Client()
    user = walk.users[role]
    if user is not None:
        client.force_login(user)
    method = method or row.method
    url = walk.url(row)
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, walk.form(row))
        changed = snapshot() != walk.baseline
        transaction.set_rollback(True)
    return response, changed


def check(walk: Walk, row: Row, role: str, expected: str) -> str | None:
    response, changed = request(walk, row, role)
    assert response.status_code < 500, f"{row} as {role}: server error {response.status_code}"
    actual = outcome(response, row.method)
    if actual == "ok (200)":
        # A POST that saves answers with a redirect; a page again means the form was refused.
        actual = "ok" if row.name in NOTHING_SAVED else "refused (the form again)"
    if actual != expected:
        return f"expected {expected}, got {actual} ({response.status_code})"
    saves = row.method == "POST" and expected == "ok" and row.name not in NOTHING_SAVED
    if saves and not changed:
        return "allowed, but nothing was saved: the test's form is not valid"
    if not saves and changed:
        return f"{expected}, but the data changed"
    return None


# ---------------------------------------------------------------- the walk


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_every_role_gets_what_the_table_says(walked, row):
    failures = []
    for role, expected in zip(ROLES, row.outcomes, strict=True):
        problem = check(walked, row, role, expected)
        if problem:
            failures.append(f"  {role}: {problem}")
    assert not failures, f"{row}\n" + "\n".join(failures)


def test_the_table_lists_every_url_of_the_application():
    urls = project_urls()
    listed = {row.name for row in ROWS}
    assert sorted(set(urls) - listed) == [], "URLs missing from the permission table"
    assert sorted(listed - set(urls)) == [], "rows for URLs that no longer exist"
    for row in ROWS:
        needs_object = "pk" in urls[row.name]
        assert needs_object == (row.target is not None), f"{row}: object column does not fit the URL"
    for name in urls:
        methods = [row.method for row in ROWS if row.name == name and row.target == TARGETS.get(name)]
        assert methods and len(methods) == len(set(methods)), f"{name}: one row per method"


def test_the_walk_sees_the_urls_it_must():
    """The walk starts from the resolver: the home page, both apps, no admin, no login."""
    urls = project_urls()
    assert "home" in urls and "proposals:detail" in urls and "replies:letter_sign" in urls
    assert not any(name.startswith("admin:") for name in urls)
    assert "login" not in urls and "set_language" not in urls


@pytest.mark.parametrize("name", sorted({row.name for row in ROWS}))
def test_methods_the_table_does_not_list_are_not_allowed(walked, name):
    """The table's methods are every method a URL answers: any other is 405, even for a superuser."""
    listed = {row.method for row in ROWS if row.name == name}
    row = next(row for row in ROWS if row.name == name and row.target == TARGETS.get(name))
    for method in {"GET", "POST"} - listed:
        response, changed = request(walked, row, "superuser", method)
        assert response.status_code == 405, f"{method} {name} answers {response.status_code}"
        assert not changed


def test_the_table_fails_on_a_wrong_expectation(walked):
    """The walk can fail: a row that lets the third agency into the handled proposal does."""
    row = next(r for r in ROWS if r.name == "proposals:detail" and r.target == "proposal.handled")
    assert check(walked, row, "third_officer", "ok") == "expected ok, got missing (404)"
    edit = next(r for r in ROWS if r.name == "replies:section_edit" and r.method == "POST"
                and r.target == "section.lead_draft")
    assert check(walked, edit, "lead_officer", "forbidden") == "expected forbidden, got ok (302)"


# Which sections of the handled proposal each role reads on its pages: an agency's
# drafts stay within the agency; its submitted and approved sections are shown to the
# other agencies on the proposal.
READS = {
    "liaison": {"lead_draft", "lead_submitted", "lead_approved", "co_draft", "co_submitted", "co_approved"},
    "lead_officer": {"lead_draft", "lead_submitted", "lead_approved", "co_submitted", "co_approved"},
    "lead_approver": {"lead_draft", "lead_submitted", "lead_approved", "co_submitted", "co_approved"},
    "co_officer": {"co_draft", "co_submitted", "co_approved", "lead_submitted", "lead_approved"},
    "co_approver": {"co_draft", "co_submitted", "co_approved", "lead_submitted", "lead_approved"},
    "superuser": {"lead_draft", "lead_submitted", "lead_approved", "co_draft", "co_submitted", "co_approved"},
}


@pytest.mark.parametrize("name", ["proposals:detail", "replies:handling"])
@pytest.mark.parametrize("role", sorted(READS))
def test_each_role_reads_only_the_sections_it_may(walked, name, role):
    client = Client()
    client.force_login(walked.users[role])
    response = client.get(reverse(name, kwargs={"pk": walked.objects["proposal.handled"].pk}))
    assert response.status_code == 200
    body = response.content.decode()
    shown = {key for key in READS["liaison"] if f"{key}的办理意见。" in body}
    assert shown == READS[role]


@pytest.mark.parametrize("role", sorted(READS))
def test_an_agencys_internal_return_reason_stays_inside_it(walked, role):
    """On the proposal's page (its history), the letter pages and everywhere else on the site."""
    client = Client()
    client.force_login(walked.users[role])
    response = client.get(reverse("proposals:detail", kwargs={"pk": walked.objects["proposal.handled"].pk}))
    assert response.status_code == 200
    reads = role in ("liaison", "superuser", "co_officer", "co_approver")
    assert (INTERNAL_REASON in response.content.decode()) == reads


def test_the_admin_sends_away_anyone_but_staff(walked):
    outsider = factories.UserFactory(username="not-staff", is_staff=False)
    for user in (None, outsider):
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    client = Client()
    client.force_login(walked.users["superuser"])
    assert client.get("/admin/").status_code == 200

