"""The liaison staff's pages for proposer accounts: the list, creating one, importing many
from Excel, disabling and enabling."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import liaison_only, refuse
from core.workflow import DomainError

from . import services
from .forms import AccountForm, ImportForm
from .models import ProposerAccount

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@liaison_only
@require_http_methods(["GET", "POST"])
def accounts(request):
    form = AccountForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.account_create(actor=request.user, **data)
        except DomainError as error:
            refuse(form, error)
        else:
            messages.success(request, _("已为%(name)s开通账号“%(username)s”。") % {
                "name": account.proposer.name, "username": account.user.username})
            return redirect("members:accounts")
    q = (request.GET.get("q") or "").strip()[:50]
    rows = ProposerAccount.objects.select_related("user", "proposer").order_by("proposer__kind", "proposer__name")
    if q:
        rows = rows.filter(Q(proposer__name__contains=q) | Q(user__username__contains=q) | Q(sector__contains=q))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "members/accounts.html", {
        "form": form, "import_form": ImportForm(prefix="import"), "page": page, "q": q,
    })


@liaison_only
@require_POST
def accounts_import(request):
    form = ImportForm(request.POST, request.FILES, prefix="import")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_IMPORT_BYTES:
                raise DomainError(_("文件超过5 MB。"), field="file")
            rows = services.read_account_rows(upload.read())
            made = services.accounts_import(rows=rows, password=form.cleaned_data["password"], actor=request.user)
        except DomainError as error:
            messages.error(request, _("导入失败，没有开通任何账号：%(error)s") % {"error": error.message})
        else:
            messages.success(request, _("已导入%(n)s个账号。") % {"n": len(made)})
    else:
        messages.error(request, _("导入失败：%(error)s") % {
            "error": "；".join(str(e) for errors in form.errors.values() for e in errors)})
    return redirect("members:accounts")


@liaison_only
@require_POST
def account_active(request, pk: int):
    account = get_object_or_404(ProposerAccount.objects.select_related("user", "proposer"), pk=pk)
    active = request.POST.get("active") == "1"
    services.account_set_active(account=account, active=active, actor=request.user)
    messages.success(request, (_("已启用%(name)s的账号。") if active else _("已停用%(name)s的账号。"))
                     % {"name": account.proposer.name})
    return redirect("members:accounts")
