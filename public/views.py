"""The public portal (公开): the reply letters disclosed 主动公开, for anyone, without
signing in — listed by session, agency and category, searchable, each readable as a page
and as a published PDF with contact details masked.

Safe for anonymous traffic: every filter is a known id or is ignored, the search takes at
most 50 characters, pages are cached for anonymous visitors, each address is rate limited,
and a letter that is not published answers 404 whatever its number or id.
"""

from __future__ import annotations

import functools
import re
import time

from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agencies.models import Agency
from core.login import client_address
from proposals.models import Category, Session
from replies.composition import letter_paragraphs
from replies.models import ReplyLetter
from replies.redaction import mask, published_note
from replies.views.documents import file_response
from search.analysis import QueryTooShort, parse_query
from search.models import SearchEntry
from search.selectors import matching

from . import cache

PER_PAGE = 20
Q_MAX = 50
# A query that looks for someone's contact details is not run: the published text has none.
CONTACT_QUERY = re.compile(r"\d{7,}|@")


def throttled(bucket: str, limit_setting: str):
    """At most ``settings.<limit_setting>`` requests a minute from one address; then 429."""

    def decorate(view):
        @functools.wraps(view)
        def guarded(request, *args, **kwargs):
            limit = getattr(settings, limit_setting)
            window = int(time.time() // 60)
            key = f"public-rate:{bucket}:{client_address(request)}:{window}"
            django_cache.add(key, 0, 120)
            try:
                count = django_cache.incr(key)
            except ValueError:
                count = 1
            if count > limit:
                response = render(request, "public/too_many.html", status=429)
                response["Retry-After"] = "60"
                return response
            return view(request, *args, **kwargs)

        return guarded

    return decorate


def cached_body(request, kind: str, build) -> str:
    """The page's content, from the cache for a visitor not signed in (it is the same for
    all of them). Only the content is kept: the page around it — the header, the language
    form with this visitor's own CSRF token — is rendered for each request."""
    if request.user.is_authenticated or not settings.PUBLIC_CACHE_SECONDS:
        return build()
    key = cache.key(kind, request.get_full_path(), translation.get_language())
    body = django_cache.get(key)
    if body is None:
        body = build()
        django_cache.set(key, body, settings.PUBLIC_CACHE_SECONDS)
    return body


def published():
    return ReplyLetter.objects.published().select_related("agency", "proposal__session", "proposal__category")


def _choice(request, name: str, queryset):
    """The object chosen by ``name`` when it is a known id, else None (ignored)."""
    raw = request.GET.get(name, "")
    if not raw.isdigit() or len(raw) > 12:
        return None
    return queryset.filter(pk=int(raw)).first()


@require_GET
@throttled("page", "PUBLIC_PAGES_PER_MINUTE")
def letter_list(request):
    body = cached_body(request, "list", lambda: render_to_string("public/_list.html", _list_context(request)))
    return render(request, "public/list.html", {"body": mark_safe(body)})  # noqa: S308 (rendered here)


def _list_context(request) -> dict:
    letters = published()
    session = _choice(request, "session", Session.objects.all())
    agency = _choice(request, "agency", Agency.objects.all())
    category = _choice(request, "category", Category.objects.all())
    if session:
        letters = letters.filter(proposal__session=session)
    if agency:
        letters = letters.filter(agency=agency)
    if category:
        letters = letters.filter(proposal__category=category)
    q = (request.GET.get("q") or "").strip()[:Q_MAX]
    note = ""
    if q:
        if CONTACT_QUERY.search(q):
            note, letters = _("公开的答复函不含联系方式，不能按电话号码或邮箱检索。"), letters.none()
        else:
            try:
                query = parse_query(q)
            except QueryTooShort:
                note, letters = _("请输入至少两个字的检索词。"), letters.none()
            else:
                if not query.words:
                    note, letters = _("请输入至少两个字的检索词。"), letters.none()
                else:
                    entries = matching(SearchEntry.objects.filter(
                        Q(kind=SearchEntry.Kind.LETTER) | Q(kind=SearchEntry.Kind.PROPOSAL)), query)
                    letters = letters.filter(Q(pk__in=entries.filter(kind=SearchEntry.Kind.LETTER)
                                               .values("object_id"))
                                             | Q(proposal__in=entries.filter(kind=SearchEntry.Kind.PROPOSAL)
                                                 .values("proposal_id")))
    letters = letters.order_by("-signed_on", "-id")
    page = Paginator(letters, PER_PAGE).get_page(request.GET.get("page") if str(
        request.GET.get("page", "")).isdigit() and len(request.GET.get("page", "")) < 7 else 1)
    base = request.GET.copy()
    base.pop("page", None)
    return {
        "page": page, "q": q, "note": note, "query_string": base.urlencode(),
        "sessions": Session.objects.filter(proposals__letters__in=ReplyLetter.objects.published()).distinct(),
        "agencies": Agency.objects.filter(letters__in=ReplyLetter.objects.published()).distinct()
        .order_by("code"),
        "categories": Category.objects.filter(proposals__letters__in=ReplyLetter.objects.published()).distinct(),
        "chosen": {"session": session, "agency": agency, "category": category},
    }


def _published_letter(pk: int) -> ReplyLetter:
    letter = published().filter(pk=pk).first()
    if letter is None:
        raise Http404
    return letter


@require_GET
@throttled("page", "PUBLIC_PAGES_PER_MINUTE")
def letter_page(request, pk: int):
    body = cached_body(request, "letter", lambda: render_to_string(
        "public/_letter.html", _letter_context(_published_letter(pk))))
    return render(request, "public/letter.html", {"body": mark_safe(body)})  # noqa: S308 (rendered here)


def _letter_context(letter: ReplyLetter) -> dict:
    parts = [{"heading": mask(part["heading"]), "paragraphs": [mask(p) for p in letter_paragraphs(part)]}
             for part in letter.parts]
    return {
        "letter": letter, "proposal": letter.proposal,
        "title": mask(letter.title), "addressee": mask(letter.addressee),
        "opening": [mask(p) for p in letter.opening.split("\n") if p.strip()],
        "parts": parts, "closing": mask(letter.closing),
        "note": published_note(letter.note, letter.issued_by or letter.agency.name),
    }


@require_GET
@throttled("pdf", "PUBLIC_PDFS_PER_MINUTE")
def letter_pdf(request, pk: int):
    """The published copy: rendered apart from the stored signed PDF, contact details masked."""
    from replies.pdf.render import render_published_pdf

    letter = _published_letter(pk)
    key = cache.key("pdf", letter.pk, letter.pdf_sha256, letter.updated_at.isoformat())
    data = django_cache.get(key) if settings.PUBLIC_CACHE_SECONDS else None
    if data is None:
        data = render_published_pdf(letter)
        if settings.PUBLIC_CACHE_SECONDS:
            django_cache.set(key, data, cache.PDF_SECONDS)
    name = _("%(number)s（公开版）") % {"number": letter.number or letter.pk}
    response = file_response(data, filename=f"{name}.pdf", fallback=f"letter-{letter.pk}-public.pdf",
                             content_type="application/pdf", attachment=request.GET.get("download") == "1")
    response["Cache-Control"] = "public, max-age=600"
    return response
