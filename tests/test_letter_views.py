"""The letter PDFs and the office's printing pages, through the client: who sees what, and headers."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from replies import printing
from replies import services as rs
from replies.models import PrintJob, ReplyLetter
from replies.views import documents as views
from tests.factories import AgencyFactory, UserFactory, letter_in_state, user_in

SIGNED_ON = datetime.date(2023, 7, 7)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


def stored_bytes(letter: ReplyLetter) -> bytes:
    letter.refresh_from_db()
    with default_storage.open(letter.pdf.name, "rb") as stored:
        return stored.read()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def signed(world, django_capture_on_commit_callbacks):
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    with django_capture_on_commit_callbacks(execute=True):
        rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=SIGNED_ON)
    letter.refresh_from_db()
    assert letter.pdf
    return letter


@pytest.fixture
def people(world):
    """Everyone the permission table is about, by name."""
    outsider_agency = AgencyFactory(code="outside", short_name="市外单位")
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    return {
        "anonymous": None,
        "superuser": superuser,
        "liaison": world.liaison,
        "office": world.office,
        "lead_officer": world.lead_officer,
        "lead_approver": world.lead_approver,
        "co_officer": world.co_officer,  # 会办单位: assigned to the proposal
        "other_agency": user_in(outsider_agency, "officer"),
        "nobody": UserFactory(username="nobody"),
    }


def get(client, user, url, **params):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


def assert_login_redirect(response, url):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert quote(url, safe="/") in response["Location"]


# ---------------------------------------------------------------- the final PDF


FINAL_TABLE = {
    "superuser": 200, "liaison": 200, "office": 200, "lead_officer": 200, "lead_approver": 200,
    "co_officer": 200, "other_agency": 404, "nobody": 404,
}


@pytest.mark.parametrize(("who", "status"), FINAL_TABLE.items())
def test_who_sees_a_signed_letter(client, people, signed, who, status):
    response = get(client, people[who], reverse("replies:letter_pdf", args=[signed.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert body(response) == stored_bytes(signed)


def test_anonymous_is_sent_to_log_in(client, signed, world):
    letter_url = reverse("replies:letter_pdf", args=[signed.pk])
    assert_login_redirect(client.get(letter_url), letter_url)
    draft = letter_in_state(world, "draft")
    draft_url = reverse("replies:letter_draft_pdf", args=[draft.pk])
    assert_login_redirect(client.get(draft_url), draft_url)


def test_an_unknown_letter_is_404(client, world):
    client.force_login(world.liaison)
    assert client.get(reverse("replies:letter_pdf", args=[999999])).status_code == 404


def test_inline_and_download_headers_name_the_document_number(client, world, signed):
    client.force_login(world.office)
    url = reverse("replies:letter_pdf", args=[signed.pk])
    encoded = quote(f"{signed.number}.pdf", safe="")

    inline = client.get(url)
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"] == (
        f"inline; filename=\"letter-{signed.pk}.pdf\"; filename*=UTF-8''{encoded}"
    )
    assert inline["Content-Length"] == str(len(body(inline)))
    assert inline["ETag"] == f'"{signed.pdf_sha256}"'

    download = client.get(url, {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment; ")
    assert f"filename*=UTF-8''{encoded}" in download["Content-Disposition"]
    assert body(download) == body(inline) == stored_bytes(signed)


def test_two_downloads_are_byte_identical(client, world, signed, monkeypatch):
    client.force_login(world.lead_officer)
    url = reverse("replies:letter_pdf", args=[signed.pk])
    first = body(client.get(url, {"download": "1"}))
    monkeypatch.setattr(rs.stored, "render_letter_pdf", lambda *a, **k: pytest.fail("rendered again"))
    second = body(client.get(url, {"download": "1"}))
    assert first == second == stored_bytes(signed)
    assert signed.number in pdf_text(first)


def test_without_the_seal_is_rendered_on_demand_and_not_stored(client, world, signed, monkeypatch):
    calls = []
    real = views.preview_pdf
    monkeypatch.setattr(views, "preview_pdf", lambda *a, **k: calls.append(k) or real(*a, **k))
    client.force_login(world.office)
    before = (signed.pdf.name, stored_bytes(signed))

    response = client.get(reverse("replies:letter_pdf", args=[signed.pk]), {"seal": "0", "download": "1"})
    assert response.status_code == 200
    assert calls == [{"seal": False}]
    assert body(response).startswith(b"%PDF")
    assert signed.number in pdf_text(body(response))
    assert quote(f"{signed.number}（无印章）.pdf", safe="") in response["Content-Disposition"]
    assert "ETag" not in response
    assert (signed.pdf.name, stored_bytes(signed)) == before


def test_a_voided_letter_still_downloads_its_pdf(client, world, signed):
    data = stored_bytes(signed)
    rs.letter_void(letter=signed, actor=world.lead_approver, reason="文字有误")
    client.force_login(world.liaison)
    response = client.get(reverse("replies:letter_pdf", args=[signed.pk]))
    assert response.status_code == 200
    assert body(response) == data


def test_a_tampered_file_is_not_served(client, world, signed):
    with open(default_storage.path(signed.pdf.name), "ab") as stored:
        stored.write(b"% changed\n")
    client.force_login(world.office)
    response = client.get(reverse("replies:letter_pdf", args=[signed.pk]))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "校验值不符" in response.content.decode()


def test_a_letter_without_a_stored_pdf_gets_it_on_first_download(client, world):
    letter = letter_in_state(world, "signed")  # the on-commit task never ran
    assert not letter.pdf
    client.force_login(world.office)
    data = body(client.get(reverse("replies:letter_pdf", args=[letter.pk])))
    assert data == stored_bytes(letter)


# ---------------------------------------------------------------- the draft preview


DRAFT_TABLE = {
    "superuser": 200, "liaison": 200, "lead_officer": 200, "lead_approver": 200,
    # A draft stays inside its agency (and the liaison office) until it is signed.
    "office": 404, "co_officer": 404, "other_agency": 404, "nobody": 404,
}


@pytest.mark.parametrize(("who", "status"), DRAFT_TABLE.items())
@pytest.mark.parametrize("name", ["letter_draft_pdf", "letter_pdf"])
def test_who_previews_a_draft(client, world, people, who, status, name):
    letter = letter_in_state(world, "in_review")
    response = get(client, people[who], reverse(f"replies:{name}", args=[letter.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline; ")
        text = pdf_text(body(response))
        assert "草稿" in text
        assert letter.title in text


def test_draft_download_and_no_number_yet(client, world):
    letter = letter_in_state(world, "draft")
    client.force_login(world.lead_officer)
    response = client.get(reverse("replies:letter_draft_pdf", args=[letter.pk]), {"download": "1"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; ")
    proposal = letter.proposal.number
    assert quote(f"第{proposal}号提案答复函（草稿）.pdf", safe="") in response["Content-Disposition"]
    letter.refresh_from_db()
    assert (letter.number, bool(letter.pdf)) == (None, False)


def test_the_draft_url_of_a_signed_letter_leads_to_the_final_pdf(client, world, signed):
    client.force_login(world.lead_officer)
    response = client.get(reverse("replies:letter_draft_pdf", args=[signed.pk]), {"download": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("replies:letter_pdf", args=[signed.pk]) + "?download=1"


@pytest.fixture
def kept_previews(settings):
    """Previews kept in the cache, with a count of the PDFs actually rendered."""
    from django.core.cache import cache

    from replies.pdf import render

    settings.LETTER_PREVIEW_CACHE_SECONDS = 600
    cache.clear()
    rendered = []
    real = render.html_to_pdf

    def counting(html):
        rendered.append(html)
        return real(html)

    render.html_to_pdf = counting
    yield rendered
    render.html_to_pdf = real
    cache.clear()


def seal_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((10, 10, 190, 190), outline=(230, 0, 18, 255), width=8)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def image_count(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


def test_a_draft_preview_is_rendered_again_only_when_the_letter_prints_differently(
        client, world, kept_previews):
    from replies.models import Section

    letter = letter_in_state(world, "draft")
    client.force_login(world.lead_officer)
    url = reverse("replies:letter_draft_pdf", args=[letter.pk])
    first = body(client.get(url))
    again = body(client.get(url))
    assert again == first
    assert len(kept_previews) == 1

    # The sections are the draft's text: a changed answer is in the next preview.
    section = Section.objects.filter(agency=letter.agency, recommendation__proposal=letter.proposal).first()
    Section.objects.filter(pk=section.pk).update(body="经研究，本局同意在全市推广社区养老服务驿站。")
    changed = body(client.get(url))
    assert len(kept_previews) == 2
    assert "社区养老服务驿站" in pdf_text(changed)
    assert "社区养老服务驿站" not in pdf_text(first)

    # A draft never carries the official seal, even once the agency has one.
    assert image_count(changed) == 0
    letter.agency.seal.save("seal.png", ContentFile(seal_png()))
    unsealed = body(client.get(url))
    assert image_count(unsealed) == 0
    assert "草稿" in pdf_text(unsealed)

    # The letter's own fields are in the next preview.
    letter.refresh_from_db()
    letter.title = "关于推进社区养老服务的答复"
    letter.save()
    assert "关于推进社区养老服务的答复" in pdf_text(body(client.get(url)))
    assert len(kept_previews) == 3


def test_the_unsealed_print_of_a_signed_letter_is_kept_and_the_stored_pdf_untouched(
        client, world, signed, kept_previews):
    client.force_login(world.lead_officer)
    url = reverse("replies:letter_pdf", args=[signed.pk])
    unsealed = [body(client.get(url, {"seal": "0"})) for _ in range(2)]
    assert unsealed[0] == unsealed[1]
    assert len(kept_previews) == 1
    assert body(client.get(url)) == stored_bytes(signed)
    assert len(kept_previews) == 1  # the stored PDF is read, not rendered


def test_previews_are_not_kept_when_the_setting_is_zero(client, world, kept_previews, settings):
    settings.LETTER_PREVIEW_CACHE_SECONDS = 0
    letter = letter_in_state(world, "draft")
    client.force_login(world.lead_officer)
    url = reverse("replies:letter_draft_pdf", args=[letter.pk])
    client.get(url)
    client.get(url)
    assert len(kept_previews) == 2


# ---------------------------------------------------------------- 待印发答复函


def signed_letters(world, count: int) -> list[ReplyLetter]:
    return [world.signed_letter(signed_on=SIGNED_ON)[1] for _ in range(count)]


PRINT_PAGE_TABLE = {
    "superuser": 200, "liaison": 200, "office": 200, "lead_officer": 403, "lead_approver": 403,
    "co_officer": 403, "other_agency": 403, "nobody": 403,
}


@pytest.mark.parametrize(("who", "status"), PRINT_PAGE_TABLE.items())
def test_who_sees_the_printing_page(client, people, who, status):
    response = get(client, people[who], reverse("replies:printable_letters"))
    assert response.status_code == status


def test_printing_page_needs_login(client, db):
    url = reverse("replies:printable_letters")
    assert_login_redirect(client.get(url), url)


def test_printing_page_lists_what_waits_to_be_printed_and_on_request_all(client, world):
    signed_list = signed_letters(world, 2)
    issued = letter_in_state(world, "issued")
    hidden = [letter_in_state(world, state) for state in ("draft", "in_review", "voided")]
    client.force_login(world.office)
    response = client.get(reverse("replies:printable_letters"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "待印发答复函" in page
    assert "共 2 份答复函" in page
    assert list(response.context["page"].object_list) == signed_list
    assert reverse("replies:letter_pdf", args=[issued.pk]) not in page
    response = client.get(reverse("replies:printable_letters"), {"state": "all"})
    page = response.content.decode()
    for letter in [*signed_list, issued]:
        assert letter.number in page
        assert reverse("replies:letter_pdf", args=[letter.pk]) + "?download=1" in page
    for letter in hidden:
        assert reverse("replies:letter_pdf", args=[letter.pk]) not in page
    assert list(response.context["page"].object_list) == [*signed_list, issued]


def test_printing_page_filters_by_session_agency_and_state(client, world):
    from tests.factories import SessionFactory

    lead_letters = signed_letters(world, 2)
    issued = letter_in_state(world, "issued")
    client.force_login(world.liaison)
    url = reverse("replies:printable_letters")

    def listed(**params):
        return list(client.get(url, params).context["page"].object_list)

    assert listed(agency=world.lead.pk) == lead_letters
    assert listed(agency=world.lead.pk, state="all") == [*lead_letters, issued]
    assert listed(agency=world.co.pk) == []
    assert listed(state="issued") == [issued]
    assert listed(session=world.session.pk, state="all") == [*lead_letters, issued]
    later = SessionFactory(code="14-1", term=14, meeting=1, year=2024, name="市政协十四届一次会议")
    assert listed(session=later.pk) == []
    assert listed(number="〔2023〕2号") == [lead_letters[1]]


def test_printing_page_paginates(client, world, monkeypatch):
    monkeypatch.setattr(views, "LETTERS_PER_PAGE", 2)
    letters = signed_letters(world, 3)
    client.force_login(world.office)
    url = reverse("replies:printable_letters")
    first = client.get(url, {"agency": world.lead.pk})
    assert list(first.context["page"].object_list) == letters[:2]
    assert f"agency={world.lead.pk}&amp;page=2" in first.content.decode()
    second = client.get(url, {"agency": world.lead.pk, "page": 2})
    assert list(second.context["page"].object_list) == letters[2:]
    assert "共 3 份答复函" in second.content.decode()


def test_printing_page_queries_do_not_grow_with_rows(client, world):
    client.force_login(world.office)
    url = reverse("replies:printable_letters")
    signed_letters(world, 1)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    signed_letters(world, 4)
    printing.print_job_create(session=world.session, format="pdf", actor=world.office)
    printing.print_job_create(session=world.session, format="zip", actor=world.liaison)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "共 5 份答复函" in response.content.decode()
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# ---------------------------------------------------------------- batch printing


@pytest.fixture
def batch(world, client, django_capture_on_commit_callbacks):
    letters = signed_letters(world, 2)

    def start(user, **form):
        client.force_login(user)
        data = {"session": world.session.pk, "agency": "", "format": "pdf", "seal": "1", **form}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("replies:print_job_create"), data)

    start.letters = letters
    return start


def test_office_starts_a_batch_and_downloads_it(client, world, batch):
    response = batch(world.office)
    job = PrintJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("replies:print_job", args=[job.pk])
    assert (job.state, job.done, job.total, job.requested_by) == ("done", 2, 2, world.office)

    page = client.get(response["Location"]).content.decode()
    assert "已完成 2 / 2 份" in page
    assert reverse("replies:print_job_download", args=[job.pk]) in page
    assert "hx-trigger" not in page

    download = client.get(reverse("replies:print_job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    name = quote("市政协十三届二次会议全部单位答复函.pdf", safe="")
    assert download["Content-Disposition"] == (
        f"attachment; filename=\"print-job-{job.pk}.pdf\"; filename*=UTF-8''{name}"
    )
    reader = PdfReader(io.BytesIO(body(download)))
    assert len(reader.pages) == sum(
        len(PdfReader(io.BytesIO(rs.letter_pdf_bytes(letter=letter))).pages) for letter in batch.letters
    )


def test_a_zip_batch_without_seal_for_one_agency(client, world, batch):
    batch(world.liaison, format="zip", seal="0", agency=world.lead.pk)
    job = PrintJob.objects.get()
    assert (job.format, job.seal, job.agency, job.state) == ("zip", False, world.lead, "done")
    download = client.get(reverse("replies:print_job_download", args=[job.pk]))
    assert download["Content-Type"] == "application/zip"
    assert quote("市政协十三届二次会议市工商联答复函（无印章）.zip", safe="") in download["Content-Disposition"]


def test_the_progress_fragment_polls_until_the_job_finishes(client, world, batch):
    batch(world.office)
    job = PrintJob.objects.get()
    PrintJob.objects.filter(pk=job.pk).update(state="running", done=1)
    url = reverse("replies:print_job_progress", args=[job.pk])
    running = client.get(url).content.decode()
    assert f'hx-get="{url}"' in running
    assert 'hx-trigger="every 1s"' in running
    assert "已完成 1 / 2 份" in running
    assert "<html" not in running  # a fragment, not a page
    page = client.get(reverse("replies:print_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript the page reloads itself

    PrintJob.objects.filter(pk=job.pk).update(state="failed", error="印章图片无法读取")
    failed = client.get(url).content.decode()
    assert "hx-trigger" not in failed
    assert "印章图片无法读取" in failed
    download = client.get(reverse("replies:print_job_download", args=[job.pk]))
    assert download.status_code == 302


JOB_TABLE = {
    "superuser": 200, "liaison": 200, "office": 200, "lead_officer": 404, "co_officer": 404,
    "other_agency": 404, "nobody": 404,
}


@pytest.mark.parametrize(("who", "status"), JOB_TABLE.items())
@pytest.mark.parametrize("name", ["print_job", "print_job_progress", "print_job_download"])
def test_who_sees_a_job(client, world, people, batch, who, status, name):
    batch(world.office)
    job = PrintJob.objects.get()
    url = reverse(f"replies:{name}", args=[job.pk])
    assert get(client, people[who], url).status_code == status
    assert_login_redirect(get(client, None, url), url)


def test_the_requester_keeps_access_to_the_job(client, world, batch):
    batch(world.office)
    job = PrintJob.objects.get()
    world.office.groups.clear()  # moved to another post since
    client.force_login(world.office)
    assert client.get(reverse("replies:print_job_download", args=[job.pk])).status_code == 200


def test_agency_staff_cannot_start_a_batch(client, world, batch):
    assert batch(world.lead_approver).status_code == 403
    assert not PrintJob.objects.exists()


def test_a_batch_with_nothing_to_print_says_why(client, world, batch):
    response = batch(world.office, agency=world.co.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("replies:printable_letters")
    assert not PrintJob.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "市民政局还没有已签发的答复函" in page


def test_a_batch_needs_post(client, world):
    client.force_login(world.office)
    assert client.get(reverse("replies:print_job_create")).status_code == 405


# ---------------------------------------------------------------- the layout


def test_pages_use_the_layout_with_local_assets_only(client, world):
    world.office.first_name = "李文华"
    world.office.save()
    client.force_login(world.office)
    page = client.get(reverse("replies:printable_letters")).content.decode()
    assert "政协提案办理系统" in page
    assert "李文华" in page
    assert f'action="{reverse("logout")}"' in page
    assert 'lang="zh-hans"' in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert f"{settings.STATIC_URL}css/app.css" in " ".join(assets)
    assert f"{settings.STATIC_URL}vendor/htmx.min.js" in " ".join(assets)
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    static = Path(settings.BASE_DIR) / "static"
    assert (static / "vendor" / "htmx.min.js").stat().st_size > 10_000
    css = (static / "css" / "app.css").read_text()
    assert "url(" not in css and "@import" not in css


def test_letters_and_jobs_link_to_their_pages(world, signed):
    assert signed.get_absolute_url() == reverse("replies:letter_pdf", args=[signed.pk])
    job = printing.print_job_create(session=world.session, format="pdf", actor=world.office)
    assert job.get_absolute_url() == reverse("replies:print_job", args=[job.pk])


def test_the_office_marks_a_signed_letter_issued(client, world, signed):
    client.force_login(world.office)
    page = client.get(reverse("replies:printable_letters")).content.decode()
    assert "标记已印发" in page
    response = client.post(reverse("replies:letter_issue", args=[signed.pk]))
    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.state == ReplyLetter.State.ISSUED and signed.issued_on is not None
    again = client.post(reverse("replies:letter_issue", args=[signed.pk]), follow=True)
    assert "不能印发" in again.content.decode()


def test_an_officer_cannot_mark_a_letter_issued(client, world, signed):
    client.force_login(world.lead_officer)
    response = client.post(reverse("replies:letter_issue", args=[signed.pk]))
    assert response.status_code == 403
    signed.refresh_from_db()
    assert signed.state == ReplyLetter.State.SIGNED
