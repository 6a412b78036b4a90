"""The public portal (/public/): what is published, what is masked, and how it holds up
under anonymous traffic."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from replies import services as rs
from replies.models import ReplyLetter
from replies.redaction import MASK, mask

pytestmark = pytest.mark.django_db

CONTACT_NOTE = "联系人：林嘉俊，电话：0760-89892316，手机13800138000，邮箱 lin@example.org"


@pytest.fixture
def published(world, django_capture_on_commit_callbacks):
    """A signed letter disclosed 主动公开 whose text and 附注 carry contact details (indexed
    for the search, as after its commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        proposal, letter = world.ready_letter()
        rs.letter_update(letter=letter, actor=world.lead_officer, note=CONTACT_NOTE,
                         closing="如有疑问请致电0760-88888888或发邮件至office@example.org。特此函复。")
        rs.letter_submit(letter=letter, actor=world.lead_officer)
        letter = rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=datetime.date(2023, 7, 7))
    return rs.letter_store_pdf(letter=letter)


def page_text(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------- redaction


@pytest.mark.parametrize("text", [
    "13800138000", "+86 138 0013 8000", "138-0013-8000", "0760-89892316", "（010）12345678", "020-12345678转123",
    "400-800-1234", "lin.jia@example.org.cn", "44200019900101123X", "442000900101123", "电话：88887777",
])
def test_contact_details_are_masked(text):
    masked = mask(f"请联系{text}。")
    assert MASK in masked and text not in masked


@pytest.mark.parametrize("text", [
    "中工商联函〔2023〕11号", "第132020号提案", "投入资金12345678元", "2023年7月7日", "共1200户",
])
def test_amounts_numbers_and_dates_are_left_alone(text):
    assert mask(text) == text


# ---------------------------------------------------------------- what is published


def test_the_portal_lists_and_shows_a_published_letter_masked(published):
    client = Client()
    listing = page_text(client.get(reverse("public:list")))
    assert published.number in listing and published.proposal.title in listing
    page = page_text(client.get(reverse("public:letter", args=[published.pk])))
    assert "0760-89892316" not in page and "13800138000" not in page and "lin@example.org" not in page
    assert "0760-88888888" not in page and "office@example.org" not in page and MASK in page
    assert "林嘉俊" not in page and f"（联系单位：{published.agency.name}）" in page


def test_the_published_pdf_is_a_separate_masked_rendering(published):
    stored = published.pdf.open("rb").read()
    response = Client().get(reverse("public:letter_pdf", args=[published.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert "89892316" not in compact and "13800138000" not in compact and "example.org" not in compact
    assert "联系单位" in compact and "林嘉俊" not in compact
    # the stored signed PDF is untouched, and is not what the portal serves
    published.refresh_from_db()
    assert hashlib.sha256(published.pdf.open("rb").read()).hexdigest() == published.pdf_sha256
    assert published.pdf.open("rb").read() == stored != response.content


@pytest.mark.parametrize("disclosure", ["依申请公开", "不予公开"])
def test_letters_not_disclosed_actively_never_appear(published, disclosure):
    ReplyLetter.objects.filter(pk=published.pk).update(disclosure=disclosure)
    client = Client()
    assert published.number not in page_text(client.get(reverse("public:list")))
    assert client.get(reverse("public:letter", args=[published.pk])).status_code == 404
    assert client.get(reverse("public:letter_pdf", args=[published.pk])).status_code == 404


def test_a_voided_letter_disappears(world, published):
    rs.letter_void(letter=published, actor=world.lead_approver, reason="文字有误。")
    client = Client()
    assert client.get(reverse("public:letter", args=[published.pk])).status_code == 404
    assert published.number not in page_text(client.get(reverse("public:list")))


def test_unsigned_letters_and_unknown_ids_are_404(world, published):
    _proposal, draft = world.ready_letter()
    client = Client()
    for pk in (draft.pk, 999_999, 2**62):
        assert client.get(reverse("public:letter", args=[pk])).status_code == 404
        assert client.get(reverse("public:letter_pdf", args=[pk])).status_code == 404


def test_liaison_staff_hold_a_letter_back_and_publish_it_again(world, published):
    liaison = Client()
    liaison.force_login(world.liaison)
    url = reverse("replies:letter_publication", args=[published.pk])
    refused = liaison.post(url, {"reason": ""}, follow=True)
    assert "需要填写理由" in page_text(refused)
    liaison.post(url, {"reason": "涉及个人隐私，暂不公开。"})
    published.refresh_from_db()
    assert published.held_reason == "涉及个人隐私，暂不公开。"
    assert Client().get(reverse("public:letter", args=[published.pk])).status_code == 404
    page = page_text(liaison.get(reverse("replies:letter_detail", args=[published.pk])))
    assert "暂不公开：涉及个人隐私" in page
    liaison.post(url, {"publish": "1"})
    assert Client().get(reverse("public:letter", args=[published.pk])).status_code == 200
    # agency staff may not decide it
    officer = Client()
    officer.force_login(world.lead_officer)
    assert officer.post(url, {"reason": "不公开。"}).status_code == 403


# ---------------------------------------------------------------- search and filters


def test_the_portal_searches_and_filters(published):
    client = Client()
    found = page_text(client.get(reverse("public:list"), {"q": published.proposal.title[2:8]}))
    assert published.number in found
    none = page_text(client.get(reverse("public:list"), {"q": "完全不相干的词语"}))
    assert published.number not in none
    by_agency = page_text(client.get(reverse("public:list"), {"agency": published.agency_id}))
    assert published.number in by_agency
    phone = page_text(client.get(reverse("public:list"), {"q": "89892316"}))
    assert "不能按电话号码或邮箱检索" in phone and published.number not in phone


@pytest.mark.parametrize("query", [
    {"session": "9" * 30}, {"agency": "-1"}, {"category": "abc"}, {"page": "99999999999"}, {"page": "-3"},
    {"q": "x" * 5000}, {"q": "a"}, {"session": "\u0000"},
])
def test_junk_parameters_are_ignored_not_errors(published, query):
    response = Client().get(reverse("public:list"), query)
    assert response.status_code == 200


# ---------------------------------------------------------------- cache and rate limits


def test_anonymous_pages_come_from_the_cache_until_a_letter_changes(world, published, settings):
    settings.PUBLIC_CACHE_SECONDS = 600
    from django.core.cache import cache

    cache.clear()
    client = Client()
    url = reverse("public:letter", args=[published.pk])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 0
    rs.letter_void(letter=published, actor=world.lead_approver, reason="文字有误。")
    assert client.get(url).status_code == 404


def test_an_address_asking_too_often_is_told_to_wait(published, settings):
    from django.core.cache import cache

    cache.clear()
    settings.PUBLIC_PAGES_PER_MINUTE = 3
    client = Client()
    statuses = [client.get(reverse("public:list")).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
    response = client.get(reverse("public:list"))
    assert "访问过于频繁" in page_text(response) and response["Retry-After"] == "60"
    cache.clear()


def test_a_cached_page_still_gives_each_visitor_their_own_language_form(published, settings):
    """Only the content is cached: the header's form carries the visitor's own CSRF token."""
    import re

    from django.core.cache import cache

    settings.PUBLIC_CACHE_SECONDS = 600
    cache.clear()
    url = reverse("public:letter", args=[published.pk])
    Client().get(url)  # the first visitor fills the cache
    second = Client(enforce_csrf_checks=True)
    page = page_text(second.get(url))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = second.post("/i18n/setlang/", {"language": "en", "next": url, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "Published replies" in page_text(second.get(url))
    cache.clear()
