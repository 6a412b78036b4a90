"""The site's own page for a request it cannot take (400), saying why in Chinese.

Django answers a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many fields or files, a
host it does not serve and other suspicious requests with 400; its own page is a bare
line of English. :func:`bad_request` is the site's ``handler400``, and
:class:`core.middleware.CleanInputMiddleware` calls it too when reading a request's body
fails, so that the page is the same whether or not ``DEBUG`` is on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.shortcuts import render
from django.utils.translation import gettext as _


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def reason(exception) -> str:
    """Why the request was refused, in words its sender can act on."""
    if isinstance(exception, RequestDataTooBig):
        return _("提交的内容超过了系统允许的上限（%(limit)s MB，不含上传的文件）。请删减内容，"
                 "或把很长的材料作为附件分开上传后再提交。") % {
            "limit": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
    if isinstance(exception, TooManyFieldsSent):
        return _("提交的栏目过多（上限为%(limit)s个）。请分几次提交。") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
    if isinstance(exception, TooManyFilesSent):
        return _("一次上传的文件过多（上限为%(limit)s个）。请分几次上传。") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    if isinstance(exception, DisallowedHost):
        return _("请通过本系统的正式网址访问。")
    return _("请求的格式不正确，系统无法处理。请返回上一页重新操作。")


def bad_request(request, exception=None):
    response = render(request, "400.html", {"reason": reason(exception)}, status=400)
    return response
