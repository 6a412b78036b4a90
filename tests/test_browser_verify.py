"""Journey: a letter signed in the browser is checked by anyone at /verify/ — by its code on
a phone, and by uploading the PDF (the stored one agrees; a copy with one byte changed does
not)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agencies.demo_certificates import make_demo_certificates
from agencies.models import Agency
from replies import services as rs
from replies.models import ReplyLetter

# the proposer journeys' fixtures: connections closed beside the browser, media in tmp_path
from tests.test_browser_proposers import (  # noqa: F401 (autouse fixtures)
    DESK,
    PHONE,
    _close_connections_opened_beside_the_browser,
    _media,
    click_and_wait,
    fits,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_letter_signed_in_the_browser_verifies_by_code_and_by_upload(world, journey, tmp_path):
    make_demo_certificates(Agency.objects.filter(pk=world.lead.pk))
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)

    approver = journey("verify-approver")
    approver.page.set_viewport_size(DESK)
    page = approver.log_in(world.lead_approver.username)
    page.goto(f"{approver.base_url}/letters/{letter.pk}/")
    click_and_wait(page, page.locator(".sign-box").get_by_role("button", name="签发", exact=True))
    expect(page.locator(".letter-status .state")).to_have_text("已签发")
    expect(page.locator(".signature-state")).to_contain_text("已数字签名（PAdES B-B）")
    code = page.locator(".verify-code").inner_text()
    approver.shot("signed")
    letter.refresh_from_db()
    assert code == f"{letter.verify_code[:4]}-{letter.verify_code[4:]}"
    with page.expect_download() as download:
        page.get_by_role("link", name="下载PDF").click()
    signed_pdf = tmp_path / "signed.pdf"
    download.value.save_as(signed_pdf)
    assert signed_pdf.read_bytes() == letter.pdf.open("rb").read()

    # Someone who received the letter checks it on a phone: the code first.
    visitor = journey("verify-visitor")
    visitor.page.set_viewport_size(PHONE)
    page = visitor.go("/verify/")
    page.get_by_role("textbox", name="验证码").fill(code.lower().replace("-", " "))
    click_and_wait(page, page.get_by_role("button", name="验证"))
    details = page.locator("section[aria-labelledby=letter-title]")
    expect(details).to_contain_text(letter.number)
    expect(details).to_contain_text("有效")
    expect(details).to_contain_text(letter.pdf_sha256)
    fits(page)
    visitor.shot("by-code")

    # Then the file itself.
    page.get_by_role("textbox", name="验证码").fill("")
    page.locator("#id_pdf").set_input_files(str(signed_pdf))
    click_and_wait(page, page.get_by_role("button", name="验证"))
    expect(page.locator(".verify-result h2")).to_have_text("一致：与存档的签发稿完全相同")
    expect(page.locator(".verify-signature")).to_contain_text("数字签名完好")
    fits(page)
    visitor.shot("by-upload")

    changed = bytearray(signed_pdf.read_bytes())
    changed[len(changed) // 2] ^= 0x20
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(changed))
    page.locator("#id_pdf").set_input_files(str(tampered))
    click_and_wait(page, page.get_by_role("button", name="验证"))
    expect(page.locator(".verify-result h2")).to_have_text("不一致：与存档的签发稿不同")
    expect(page.locator(".verify-differences")).to_contain_text("有1个字节被改动")
    expect(page.locator(".verify-signature")).to_contain_text("数字签名已失效")
    fits(page)
    visitor.shot("tampered")
    assert ReplyLetter.objects.get(pk=letter.pk).pdf_sha256 == letter.pdf_sha256
