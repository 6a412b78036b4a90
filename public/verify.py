"""/verify/: anyone checks a signed letter — by its verification code (typed, or the QR code
scanned), or by uploading the PDF they hold.

Nothing about a letter is shown unless its code is given or the file uploaded is that
letter (byte for byte, or printing its code). Rate limited per address, like the portal.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from replies import checking, verification

from .views import throttled


class VerifyForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("验证码"), max_length=40, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "latin",
                                                         "placeholder": "XXXX-XXXX"}))
    pdf = forms.FileField(label=gettext_lazy("答复函PDF文件"), required=False,
                          widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))

    def clean_code(self):
        raw = self.cleaned_data["code"].strip()
        if not raw:
            return None
        code = verification.parse(raw)
        if code is None:
            raise forms.ValidationError(_("验证码是8位字母和数字，形如 ABCD-2345，请核对后重新输入。"))
        return code

    def clean_pdf(self):
        upload = self.cleaned_data.get("pdf")
        if not upload:
            return None
        if upload.size > settings.VERIFY_UPLOAD_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(_("文件过大（最大%(mb)dMB）。") % {"mb": settings.VERIFY_UPLOAD_MAX_MB})
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(_("上传的文件不是PDF文件。"))
        return data


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    if request.method == "POST" or request.GET.get("code"):
        return _look_up(request)
    return render(request, "public/verify.html", {"form": VerifyForm(), "max_mb": settings.VERIFY_UPLOAD_MAX_MB})


@throttled("verify", "VERIFY_PER_MINUTE")
def _look_up(request):
    """A code looked up or a file checked: these count towards the address's limit."""
    context: dict = {"max_mb": settings.VERIFY_UPLOAD_MAX_MB}
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            code, data = form.cleaned_data["code"], form.cleaned_data["pdf"]
            if data:
                context["file_check"] = checking.check_file(data, code)
            elif code:
                context["letter"] = checking.find_letter(code)
                context["searched"] = True
            else:
                form.add_error(None, _("请输入验证码，或上传答复函PDF文件。"))
    else:
        form = VerifyForm({"code": request.GET["code"]})
        if form.is_valid() and form.cleaned_data["code"]:
            context["letter"] = checking.find_letter(form.cleaned_data["code"])
            context["searched"] = True
    context["form"] = form
    letter = context.get("letter") or getattr(context.get("file_check"), "letter", None)
    if letter is not None:
        context["shown"] = letter
        context["shown_code"] = verification.display(letter.verify_code)
    return render(request, "public/verify.html", context)
