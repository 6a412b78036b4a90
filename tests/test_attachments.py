"""附件: files checked by their content, kept through the storage API, downloaded only by
those who may read the proposal or letter; a letter's attachments print after it as GB/T
9704 sets them (附件说明 after the body, each attachment from a new page marked 附件N,
page numbers going on)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from core import files
from core.workflow import DomainError, IllegalMove
from history.models import StateChange
from proposals import attachments
from replies import services as rs
from replies.pdf import render_letter_pdf
from replies.pdf.compose import attachment_note
from replies.pdf.layout import CHAR
from tests.factories import letter_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LETTER_PREVIEW_CACHE_SECONDS = 0


def pdf_bytes(*pages: str) -> bytes:
    from weasyprint import HTML

    html = "".join(f'<p style="break-after: page">{text}</p>' for text in pages)
    return HTML(string=f"<html><body>{html}</body></html>").write_pdf()


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def docx_bytes(macro: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\x00macro")
    return out.getvalue()


def upload(data: bytes, name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# ---------------------------------------------------------------- the checks


def test_files_are_told_by_their_content():
    checked, _data = files.check_upload(upload(pdf_bytes("one", "two"), "a.exe"), files.MATERIALS)
    assert (checked.kind, checked.pages, checked.name) == ("pdf", 2, "a.pdf")
    assert files.check_upload(upload(png_bytes(), "photo.pdf"), files.MATERIALS)[0].kind == "png"
    assert files.check_upload(upload(docx_bytes(), "说明.docx"), files.MATERIALS)[0].kind == "docx"
    with pytest.raises(DomainError, match="只能上传"):
        files.check_upload(upload(b"MZ\x90\x00 not a document", "report.pdf"), files.MATERIALS)
    with pytest.raises(DomainError, match="只能上传"):  # Word is a material, not printable after a letter
        files.check_upload(upload(docx_bytes()), files.PRINTABLE)


def test_files_that_run_something_or_hide_something_are_refused(settings):
    scripted = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("x"))))
    scripted._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")})
    script = io.BytesIO()
    scripted.write(script)
    with pytest.raises(DomainError, match="脚本"):
        files.check_upload(upload(script.getvalue()), files.PRINTABLE)
    # the same hidden in a compressed object stream is found by reading the document
    compressed = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("y"))))
    compressed._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/Named"), NameObject("/N"): NameObject("/Print")})
    out = io.BytesIO()
    compressed.write(out)
    with pytest.raises(DomainError, match="脚本"):
        files.check_upload(upload(out.getvalue()), files.PRINTABLE)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("secret"))))
    writer.encrypt("pw")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(DomainError, match="已加密"):
        files.check_upload(upload(locked.getvalue()), files.PRINTABLE)
    with pytest.raises(DomainError, match="宏"):
        files.check_upload(upload(docx_bytes(macro=True)), files.MATERIALS)
    with pytest.raises(DomainError, match="宏"):
        doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "_VBA_PROJECT".encode("utf-16-le")
        files.check_upload(upload(doc, "a.doc"), files.MATERIALS)
    with pytest.raises(DomainError, match="无法读取这张图片"):
        files.check_upload(upload(b"\x89PNG\r\n\x1a\n" + b"junk" * 10), files.MATERIALS)
    with pytest.raises(DomainError, match="空的"):
        files.check_upload(upload(b""), files.MATERIALS)
    settings.ATTACHMENT_MAX_MB = 0.001
    with pytest.raises(DomainError, match="不能超过0.001 MB"):
        files.check_upload(upload(pdf_bytes("big")), files.MATERIALS)


def test_uploaded_names_are_made_safe():
    assert files.safe_name("../../etc/passwd", "pdf") == "passwd.pdf"
    assert files.safe_name('C:\\材料\\"调研"报告.docx', "pdf") == "调研报告.pdf"
    assert files.safe_name("", "png") == "附件.png"


# ---------------------------------------------------------------- a proposal's materials


def test_liaison_staff_attach_materials_that_assigned_agencies_download(client, world):
    proposal = world.assigned()
    attachment = attachments.attachment_add(proposal=proposal, upload=upload(pdf_bytes("调研报告"), "调研报告.pdf"),
                                            actor=world.liaison)
    assert attachment.file.name.startswith(f"attachments/proposals/{proposal.pk}/")
    assert "调研报告" not in attachment.file.name  # the stored name says nothing of the uploaded one
    assert StateChange.objects.filter(proposal=proposal, action="attach").exists()

    client.force_login(world.co_officer)
    handling = client.get(reverse("replies:handling", args=[proposal.pk])).content.decode()
    url = reverse("proposals:attachment", args=[attachment.pk])
    assert url in handling
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"] and "sandbox" in response["Content-Security-Policy"]
    assert response.content.startswith(b"%PDF-")
    assert "filename*=UTF-8''%E8%B0%83%E7%A0%94%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]
    assert client.post(reverse("proposals:attachment_delete", args=[attachment.pk])).status_code == 403

    other = world.proposal()
    hidden = attachments.attachment_add(proposal=other, upload=upload(png_bytes(), "x.png"), actor=world.liaison)
    assert client.get(reverse("proposals:attachment", args=[hidden.pk])).status_code == 404

    client.force_login(world.liaison)
    page = client.post(reverse("proposals:attachment_add", args=[proposal.pk]),
                       {"file": upload(b"#!/bin/sh\nrm -rf /", "run.pdf")}, follow=True).content.decode()
    assert "只能上传" in page
    client.post(reverse("proposals:attachment_delete", args=[attachment.pk]))
    assert not proposal.attachments.filter(pk=attachment.pk).exists()


# ---------------------------------------------------------------- a letter's attachments


def test_the_note_lists_attachments_as_gbt_9704_sets_them():
    one = attachment_note(["中山市行业协会名录"])
    assert [line.text for line in one] == ["附件：中山市行业协会名录"] and one[0].x == pytest.approx(2 * CHAR)
    long = "关于推动行业协会参与产业链供应链建设的实施方案和二〇二三年度重点工作任务分工表"
    lines = attachment_note(["中山市行业协会名录", long])
    assert lines[0].text == "附件：1. 中山市行业协会名录"
    assert lines[1].text.startswith("2. 关于")
    # "2." stands under "1.", and the wrapped line under the name's first character
    assert lines[1].x == pytest.approx(lines[0].x + (lines[1].x - lines[0].x))
    assert len(lines) == 3 and lines[2].x > lines[1].x
    assert not any(line.text.endswith(("。", "；", "，")) for line in lines)


def test_a_letter_prints_its_attachments_after_it(world):
    letter = letter_in_state(world, "draft")
    rs.letter_attachment_add(letter=letter, upload=upload(pdf_bytes("ATTACHED PAGE ONE", "ATTACHED PAGE TWO")),
                             title="行业协会名录。", actor=world.lead_officer)
    rs.letter_attachment_add(letter=letter, upload=upload(png_bytes(), "照片.png"), title="", actor=world.lead_officer)
    titles = list(letter.attachments.values_list("title", "position"))
    assert titles == [("行业协会名录", 1), ("照片", 2)]  # no full stop after a name

    rs.letter_submit(letter=letter, actor=world.lead_officer)
    signed = rs.letter_sign(letter=letter, actor=world.lead_approver)
    reader = PdfReader(io.BytesIO(render_letter_pdf(signed)))
    texts = [page.extract_text() for page in reader.pages]
    letter_pages = next(i for i, text in enumerate(texts) if "附件1" in text.replace(" ", "")
                        and "ATTACHED" in text)
    body = "".join(texts[:letter_pages]).replace(" ", "")
    assert "附件：1.行业协会名录" in body and "2.照片" in body
    assert "ATTACHED PAGE ONE" in texts[letter_pages]
    assert "ATTACHED PAGE TWO" in texts[letter_pages + 1] and "附件1" not in texts[letter_pages + 1]
    assert "附件2" in texts[letter_pages + 2]
    # the 版记 comes after the attachments, on a page of its own (GB/T 9704 §8)
    assert len(reader.pages) == letter_pages + 4
    assert "抄送" in texts[-1] and "抄送" not in "".join(texts[:-1])
    last = texts[-1].replace(" ", "")
    assert f"—{len(reader.pages)}—" in last  # the page numbers go on through the attachments

    with pytest.raises(IllegalMove, match="只有草稿可以增删附件"):
        rs.letter_attachment_add(letter=signed, upload=upload(png_bytes()), title="再加一个",
                                 actor=world.lead_officer)


def test_the_letter_page_uploads_lists_and_downloads(client, world):
    letter = letter_in_state(world, "draft")
    client.force_login(world.lead_officer)
    url = reverse("replies:letter_attachment_add", args=[letter.pk])
    response = client.post(url, {"attachment-title": "名录", "attachment-file": upload(pdf_bytes("list"))})
    assert response.status_code == 302 and response["Location"].endswith("#attachments")
    item = letter.attachments.get()
    page = client.get(reverse("replies:letter_detail", args=[letter.pk])).content.decode()
    assert "附件1：名录" in page
    assert client.get(reverse("replies:letter_attachment", args=[item.pk])).status_code == 200
    client.force_login(world.co_officer)  # a draft stays inside its agency
    assert client.get(reverse("replies:letter_attachment", args=[item.pk])).status_code == 404
    client.force_login(world.lead_officer)
    client.post(reverse("replies:letter_attachment_delete", args=[item.pk]))
    assert not letter.attachments.exists()


@pytest.mark.parametrize("title", ["附" * 100, "W" * 100, "关于" + "Industry-Association-Directory" * 3])
def test_the_longest_attachment_titles_stay_inside_the_page(world, title):
    from replies.pdf.compose import compose, letter_content, outside_the_block

    letter = letter_in_state(world, "draft")
    for _ in range(3):
        rs.letter_attachment_add(letter=letter, upload=upload(png_bytes()), title=title[:100],
                                 actor=world.lead_officer)
    sheets = compose(letter_content(letter))
    assert outside_the_block(sheets) == []
    note = [t for sheet in sheets for t in sheet.texts if t.line.css_class == "attachment-note"]
    assert len(note) >= 6  # each long name wraps, its lines under the name
    rs.letter_submit(letter=letter, actor=world.lead_officer)  # the checks before signing agree
