"""The signed-in user's own notifications: the list, and marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import excel
from core.pages import next_url

from . import services
from .models import Notification

PER_PAGE = 20


def _export(notifications):
    """The user's notifications as an Excel workbook, newest first."""
    columns = [
        excel.Column(_("时间"), excel.DATETIME), excel.Column(_("类型")),
        excel.Column(_("标题"), width=40, wrap=True), excel.Column(_("内容"), width=60, wrap=True),
        excel.Column(_("阅读时间"), excel.DATETIME),
    ]
    rows = [[n.created_at, n.get_kind_display(), n.title, n.text, n.read_at] for n in notifications]
    filename = _("通知%(date)s.xlsx") % {"date": excel.today_stamp()}
    return excel.xlsx_response([excel.Sheet(_("通知"), columns, rows)], filename=filename,
                               fallback=f"notifications-{excel.today_stamp()}.xlsx")


@login_required
@require_GET
def notification_list(request):
    """通知: newest first, the unread ones marked."""
    notifications = Notification.objects.of(request.user).order_by("-created_at", "-id")
    if excel.wants_xlsx(request):
        return _export(notifications)
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one of the user's notifications read; anyone else's does not exist for them."""
    notification = get_object_or_404(Notification.objects.of(request.user), pk=pk)
    services.mark_read(user=request.user, notification=notification)
    return redirect(next_url(request, reverse("notifications:list")))


@login_required
@require_POST
def notification_read_all(request):
    services.mark_all_read(user=request.user)
    return redirect(next_url(request, reverse("notifications:list")))
