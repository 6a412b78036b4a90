"""Pages and downloads for reply letters: the letter PDFs, and batch printing for the office.

A letter is visible to liaison staff, office staff, superusers and the staff of any
agency assigned to its proposal; to anyone else it does not exist (404). The draft
preview is for the letter's own agency and liaison staff.
"""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import excel
from core.pages import next_url, require
from core.workflow import DomainError
from proposals.models import Session

from .. import printing, services
from ..filters import PrintableLetterFilter
from ..forms import PrintJobForm
from ..models import PrintJob, ReplyLetter
from ..pdf import preview_pdf
from ..selectors import may_preview_draft

LETTERS_PER_PAGE = 50
RECENT_JOBS = 10


def content_disposition(filename: str, fallback: str, *, attachment: bool) -> str:
    """``inline`` or ``attachment``, naming the file per RFC 6266 / RFC 5987.

    ``filename*`` carries the real (Chinese) name; ``fallback`` is a plain ASCII name
    for clients that do not read it.
    """
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(data: bytes, *, filename: str, fallback: str, content_type: str,
                  attachment: bool, etag: str = "") -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, fallback, attachment=attachment)
    response["Content-Length"] = str(len(data))
    response["Cache-Control"] = "private, no-cache"
    if etag:
        response["ETag"] = f'"{etag}"'
    return response


def _letter(request, pk: int) -> ReplyLetter:
    letters = ReplyLetter.objects.visible_to(request.user).select_related("proposal__session", "agency")
    return get_object_or_404(letters, pk=pk)


def _wants_download(request) -> bool:
    return request.GET.get("download") == "1"


def _draft_response(request, letter: ReplyLetter) -> HttpResponse:
    if not may_preview_draft(request.user, letter):
        raise PermissionDenied(_("只有答复单位的工作人员和提案委工作人员可以预览答复函草稿。"))
    data = preview_pdf(letter, draft=True)
    filename = _("第%(number)s号提案答复函（草稿）.pdf") % {"number": letter.proposal.number}
    return file_response(data, filename=filename, fallback=f"letter-{letter.pk}-draft.pdf",
                         content_type="application/pdf", attachment=_wants_download(request))


def _unavailable(request, error: DomainError) -> HttpResponse:
    context = {"message": error.message}
    return render(request, "replies/pdf_unavailable.html", context, status=500)


@login_required
@require_GET
def letter_pdf(request, pk: int):
    """The letter as PDF: the stored final file once signed, else the draft preview.

    ``?download=1`` sends it as a download named by the document number; ``?seal=0``
    renders the final letter without the seal, for stamping by hand (not stored).
    """
    letter = _letter(request, pk)
    if not letter.is_final:
        return _draft_response(request, letter)
    seal = request.GET.get("seal") != "0"
    name = letter.number or _("答复函%(id)s") % {"id": letter.pk}
    if seal:
        try:
            data = services.letter_pdf_bytes(letter=letter)
        except services.StoredPDFError as error:
            return _unavailable(request, error)
        etag = hashlib.sha256(data).hexdigest()  # checked against the stored value just now
        filename, fallback = f"{name}.pdf", f"letter-{letter.pk}.pdf"
    else:
        data = preview_pdf(letter, seal=False)
        etag = ""
        filename = _("%(name)s（无印章）.pdf") % {"name": name}
        fallback = f"letter-{letter.pk}-unsealed.pdf"
    return file_response(data, filename=filename, fallback=fallback, content_type="application/pdf",
                         attachment=_wants_download(request), etag=etag)


@login_required
@require_GET
def letter_draft_pdf(request, pk: int):
    """The draft preview (marked 草稿) of a letter not yet signed."""
    letter = _letter(request, pk)
    if letter.is_final:
        url = reverse("replies:letter_pdf", args=[letter.pk])
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
    return _draft_response(request, letter)


@login_required
@require_GET
def printable_letters(request):
    """待印发答复函: the signed letters waiting to be printed (a choice shows the issued ones
    too), marking a selection 已印发, and batch printing."""
    require(printing.may_print, request.user, _("只有办公室或提案委工作人员可以查看待印发答复函。"))
    letters = ReplyLetter.objects.visible_to(request.user).for_printing()
    data = request.GET.copy()
    data.setdefault("state", ReplyLetter.State.SIGNED)  # what waits to be printed
    filterset = PrintableLetterFilter(data, queryset=letters)
    if excel.wants_xlsx(request) and filterset.is_valid():  # else the page shows what is wrong
        return _export_letters(filterset.qs)
    page = Paginator(filterset.qs, LETTERS_PER_PAGE).get_page(request.GET.get("page"))
    chosen = filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else {}
    initial = {"session": chosen.get("session"), "agency": chosen.get("agency")}
    if initial["session"] is None:
        initial["session"] = Session.objects.first()
    query = request.GET.copy()
    query.pop("page", None)
    jobs = PrintJob.objects.select_related("session", "agency", "requested_by")[:RECENT_JOBS]
    return render(request, "replies/printable_letters.html", {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "form": PrintJobForm(initial=initial),
        "jobs": jobs,
    })


def _export_letters(letters):
    """Every letter of the filtered list (not only one page) as an Excel workbook."""
    date = excel.DATE
    columns = [
        excel.Column(_("发文字号")), excel.Column(_("答复单位")), excel.Column(_("提案号")),
        excel.Column(_("案由"), width=50, wrap=True), excel.Column(_("届次会议")), excel.Column(_("分类")),
        excel.Column(_("成文日期"), date), excel.Column(_("印发日期"), date), excel.Column(_("状态")),
    ]
    rows = [
        [letter.number, letter.agency.short_name, letter.proposal.number, letter.proposal.title,
         letter.proposal.session.name, _("%(klass)s类") % {"klass": letter.klass} if letter.klass else "",
         letter.signed_on, letter.issued_on, letter.get_state_display()]
        for letter in letters
    ]
    filename = _("已签发答复函%(date)s.xlsx") % {"date": excel.today_stamp()}
    return excel.xlsx_response([excel.Sheet(_("已签发答复函"), columns, rows)], filename=filename,
                               fallback=f"letters-{excel.today_stamp()}.xlsx")


@login_required
@require_POST
def letter_issue(request, pk: int):
    """印发: the office records that a signed letter was printed and sent out today."""
    letter = _letter(request, pk)
    try:
        services.letter_issue(letter=letter, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(number)s 已印发。") % {"number": letter.number})
    return redirect(next_url(request, reverse("replies:printable_letters")))


@login_required
@require_POST
def print_job_create(request):
    require(printing.may_print, request.user, _("只有办公室或提案委工作人员可以查看待印发答复函。"))
    form = PrintJobForm(request.POST)
    if form.is_valid():
        try:
            job = printing.print_job_create(
                session=form.cleaned_data["session"], agency=form.cleaned_data["agency"],
                format=form.cleaned_data["format"], seal=form.cleaned_data["seal"],
                unprinted_only=form.cleaned_data["scope"], actor=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect("replies:print_job", pk=job.pk)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("replies:printable_letters")


def _job(request, pk: int) -> PrintJob:
    return get_object_or_404(
        PrintJob.objects.visible_to(request.user).select_related("session", "agency", "requested_by"),
        pk=pk,
    )


def _watched_job(request, pk: int) -> PrintJob:
    """The job, after a look at whether its worker is gone (replies.printing.watch)."""
    job = _job(request, pk)
    if not job.is_finished and printing.watch(job):
        job = _job(request, pk)
    return job


@login_required
@require_GET
def print_job_detail(request, pk: int):
    return render(request, "replies/print_job.html", {"job": _watched_job(request, pk)})


@login_required
@require_GET
def print_job_progress(request, pk: int):
    """The progress fragment the job page polls every second until the job finishes."""
    return render(request, "replies/_print_job_progress.html", {"job": _watched_job(request, pk)})


@login_required
@require_POST
def print_job_retry(request, pk: int):
    """重新生成: a failed job, or one whose file was removed, is built again."""
    job = _job(request, pk)
    try:
        printing.print_job_retry(job=job, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已重新开始生成。"))
    return redirect("replies:print_job", pk=job.pk)


def job_file_name(job: PrintJob) -> str:
    scope = job.agency.short_name if job.agency_id else _("全部单位")
    seal = "" if job.seal else _("（无印章）")
    return _("%(session)s%(scope)s答复函%(seal)s.%(ext)s") % {
        "session": job.session.name, "scope": scope, "seal": seal, "ext": job.format,
    }


@login_required
@require_GET
def print_job_download(request, pk: int):
    job = _job(request, pk)
    if job.state == PrintJob.State.DONE and job.file_deleted_at:
        messages.error(request, _("该任务的文件已按规定在生成%(days)s天后删除，可点击“重新生成”再次生成。")
                       % {"days": settings.PRINT_JOB_KEEP_DAYS})
        return redirect("replies:print_job", pk=job.pk)
    if job.state != PrintJob.State.DONE or not job.file:
        messages.error(request, _("该批量打印任务尚未完成。"))
        return redirect("replies:print_job", pk=job.pk)
    with job.file.open("rb") as stored:
        data = stored.read()
    content_type = "application/pdf" if job.format == PrintJob.Format.PDF else "application/zip"
    return file_response(data, filename=job_file_name(job), fallback=f"print-job-{job.pk}.{job.format}",
                         content_type=content_type, attachment=True)
