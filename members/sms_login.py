"""The second step of a proposer's sign-in: a code texted to the account's mobile.

On where ``PROPOSER_SMS_LOGIN`` is set and SMS is configured: a proposer account with a
mobile number that gave the right password is not signed in yet. A six-digit code is
texted to its mobile (:mod:`notifications.sms`, within the day's cap) and kept in the
session as a keyed hash, valid for ``CODE_MINUTES``; five wrong codes end the attempt. The
user is signed in when the code is right.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from notifications import sms

SESSION_KEY = "sms_login"
CODE_MINUTES = 5
MAX_TRIES = 5
RESEND_SECONDS = 60


def _digest(code: str, user_pk: int) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{user_pk}:{code}".encode(), hashlib.sha256).hexdigest()


def _mobile(user) -> str:
    account = getattr(user, "proposer_account", None)
    return account.mobile if account is not None else ""


def masked(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 7 else "****"


def _send(request, user) -> bool:
    code = f"{secrets.randbelow(10**6):06d}"
    record = sms.send(mobile=_mobile(user), purpose="login", user=user, params={"code": code},
                      text=_("您的登录验证码为%(code)s，%(n)s分钟内有效。请勿告诉他人。") % {"code": code, "n": CODE_MINUTES})
    request.session[SESSION_KEY] = {
        "user": user.pk, "backend": getattr(user, "backend", ""), "digest": _digest(code, user.pk),
        "expires": time.time() + CODE_MINUTES * 60, "tries": 0, "sent": time.time(),
        "next": request.session.get(SESSION_KEY, {}).get("next", ""),
    }
    return record is not None and record.state == record.State.SENT


def second_step(request, user, next_url: str):
    """``LOGIN_SECOND_STEP``: ask for a texted code when this account needs one."""
    if not settings.PROPOSER_SMS_LOGIN or not sms.enabled() or not _mobile(user):
        return None
    request.session[SESSION_KEY] = {"next": next_url}
    sent = _send(request, user)
    if not sent:
        messages.error(request, _("验证码短信未能发出（可能已超过当日发送上限），请稍后再试或联系提案委。"))
    return redirect("sms_login")


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("短信验证码"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


@require_http_methods(["GET", "POST"])
def code_page(request):
    pending = request.session.get(SESSION_KEY) or {}
    User = get_user_model()
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first() if pending.get("user") else None
    if user is None:
        return redirect("login")
    if time.time() > pending["expires"]:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("验证码已过期，请重新登录。"))
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and request.POST.get("resend") == "1":
        if time.time() - pending["sent"] < RESEND_SECONDS:
            messages.error(request, _("请%(n)s秒后再重新发送。") % {"n": RESEND_SECONDS})
        elif _send(request, user):
            messages.success(request, _("验证码已重新发送。"))
        return redirect("sms_login")
    if request.method == "POST" and form.is_valid():
        if hmac.compare_digest(_digest(form.cleaned_data["code"], user.pk), pending["digest"]):
            request.session.pop(SESSION_KEY, None)
            login(request, user, backend=pending.get("backend") or None)
            target = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("home")
            return redirect(target)
        pending["tries"] += 1
        request.session[SESSION_KEY] = pending
        if pending["tries"] >= MAX_TRIES:
            request.session.pop(SESSION_KEY, None)
            messages.error(request, _("验证码错误次数过多，请重新登录。"))
            return redirect("login")
        form.add_error("code", _("验证码不正确，还可以再试%(n)s次。") % {"n": MAX_TRIES - pending["tries"]})
    return render(request, "registration/sms_code.html", {"form": form, "mobile": masked(_mobile(user))})
