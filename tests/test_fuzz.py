"""Every URL, fed what an attacker or a careless user sends: never a server error.

The site's URLs are those of the permission table (tests/test_permissions.py), in its
world; the admin's are every model's list, add and change pages and the autocomplete.
Each is sent as a superuser, an agency officer, a member and a co-signer (proposer
accounts) and an anonymous visitor:

* NUL bytes and other control characters in every query parameter the page's own forms
  know, and in every field of the row's form;
* huge numbers in the ids of the URL and in every field; impossible dates;
* methods the URL does not take; a body over the upload limit; bytes that are not UTF-8.

The answer may be a page, a refusal, a 400, 403, 404 or 405: anything but 5xx. Every
request runs in a savepoint that is rolled back, so each meets the same world.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.html_forms import all_forms, form_fields
from tests.test_permissions import ROWS

# The module's world is built once (a module fixture): its tests stay on one worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("test_fuzz")]

ROLES = ("superuser", "lead_officer", "member", "cosigner", "anonymous")
NUL = "ab\x00cd\x01\x1b"
HUGE = "9" * 30
BAD_DATE = "2023-13-45"
JUNK = {"nul": NUL, "huge": HUGE, "date": BAD_DATE, "negative": "-1", "float": "1e9"}


def _client(walk, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if walk.users[role] is not None:
        client.force_login(walk.users[role])
    return client


def _send(client, method: str, url: str, **kwargs):
    """One request in a savepoint that is rolled back; the response."""
    with transaction.atomic():
        response = getattr(client, method.lower())(url, **kwargs)
        transaction.set_rollback(True)
    return response


def _check(response, what: str, failures: list[str]) -> None:
    if response.status_code >= 500:
        failures.append(f"{what}: {response.status_code}")


def _query_names(html: str) -> set[str]:
    """The parameters of the page's GET forms (filters, search boxes, pagination links)."""
    names = set()
    for method, _action, fields in all_forms(html):
        if method == "get":
            names.update(fields)
    names.update(re.findall(r'href="\?(?:[^"]*&amp;)?([a-z_]+)=', html))
    return names | {"page", "q", "sort", "format"}


def _with_huge_ids(url: str) -> str:
    return re.sub(r"/\d+/", f"/{HUGE}/", url, count=1)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_every_url_of_the_site_takes_junk_without_a_server_error(walked, row):
    failures: list[str] = []
    url = walked.url(row)
    for role in ROLES:
        client = _client(walked, role)
        if row.method == "GET":
            page = _send(client, "GET", url)
            names = _query_names(page.content.decode(errors="replace")) if page.status_code == 200 else \
                {"page", "q"}
            for kind, value in JUNK.items():
                response = _send(client, "GET", url, data=dict.fromkeys(names, value))
                _check(response, f"GET {kind} as {role}", failures)
            _check(_send(client, "GET", url + "?q=%FF%FE%00&page=%C0"), f"GET bytes as {role}", failures)
        else:
            form = walked.form(row)
            for kind, value in JUNK.items():
                data = {key: (value if not key.endswith(("TOTAL_FORMS", "INITIAL_FORMS")) else val)
                        for key, val in form.items()}
                _check(_send(client, "POST", url, data=data), f"POST {kind} as {role}", failures)
            injected = {key: f"{val}\x00" for key, val in form.items()}
            _check(_send(client, "POST", url, data=injected), f"POST NUL appended as {role}", failures)
            _check(_send(client, "POST", url, data=b"\xff\xfe=\xc0",
                         content_type="application/x-www-form-urlencoded"), f"POST bytes as {role}", failures)
        if any(ch.isdigit() for ch in url):
            _check(_send(client, row.method, _with_huge_ids(url)), f"huge id as {role}", failures)
        for method in ("PUT", "PATCH", "DELETE", "OPTIONS"):
            _check(_send(client, method, url), f"{method} as {role}", failures)
    assert not failures, f"{row}\n" + "\n".join(failures)


def test_a_body_over_the_limit_gets_the_sites_page_saying_what_the_limit_is(walked, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    client = _client(walked, "superuser")
    row = next(r for r in ROWS if r.name == "proposals:create" and r.method == "POST")
    data = {**walked.form(row), "body": "字" * 60_000}
    response = _send(client, "POST", walked.url(row), data=data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "无法处理的请求" in body and "0.1 MB" in body
    assert 'class="site-header' in body or "政协提案办理系统" in body
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = _send(client, "POST", walked.url(row), data=fields)
    assert response.status_code == 400
    assert f"上限为{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}个" in response.content.decode()


def test_nul_bytes_never_reach_a_form(walked):
    """Cleaned at the door: the field holds what was typed, without the control characters."""
    client = _client(walked, "superuser")
    response = _send(client, "GET", reverse("proposals:list"), data={"q": "养老\x00服务"})
    assert response.status_code == 200
    assert 'value="养老服务"' in response.content.decode()


# ---------------------------------------------------------------- the admin


def _admin_models():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _filter_params(model_admin) -> set[str]:
    params = {"q", "o", "p", "all", "e"}
    for item in model_admin.list_filter:
        if isinstance(item, str):
            params.update({item, f"{item}__exact", f"{item}__id__exact", f"{item}__gte", f"{item}__lt"})
    if model_admin.date_hierarchy:
        params.update({f"{model_admin.date_hierarchy}__year", f"{model_admin.date_hierarchy}__month"})
    return params


@pytest.mark.parametrize("model", [model for model, _ in _admin_models()],
                         ids=lambda model: model._meta.label)
def test_every_admin_page_takes_junk_without_a_server_error(walked, model):
    model_admin = admin.site._registry[model]
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    failures: list[str] = []
    for role in ROLES:
        client = _client(walked, role)
        for kind, value in JUNK.items():
            for param in _filter_params(model_admin):
                response = _send(client, "GET", changelist, data={param: value})
                _check(response, f"list {param}={kind} as {role}", failures)
        _check(_send(client, "GET", changelist, data={"p": "99999999999"}), f"page as {role}", failures)
        first = model._default_manager.order_by("pk").first()
        pages = [reverse(f"admin:{opts.app_label}_{opts.model_name}_add")]
        if first is not None:
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
            _check(_send(client, "GET", reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                                                args=[HUGE])), f"huge id as {role}", failures)
            _check(_send(client, "GET", reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                                                args=["%00"])), f"NUL id as {role}", failures)
        for page in pages:
            shown = _send(client, "GET", page)
            _check(shown, f"GET {page} as {role}", failures)
            if shown.status_code != 200:
                continue
            fields = form_fields(shown.content.decode(), "")
            for kind, value in JUNK.items():
                data = {key: (val if key.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "_loaded_state",
                                                   "csrfmiddlewaretoken")) else value)
                        for key, val in fields.items()}
                _check(_send(client, "POST", page, data=data), f"POST {kind} {page} as {role}", failures)
        for field in ("proposal", "agency", "user", "proposer"):
            response = _send(client, "GET", reverse("admin:autocomplete"), data={
                "term": NUL, "app_label": opts.app_label, "model_name": opts.model_name,
                "field_name": field})
            _check(response, f"autocomplete {field} as {role}", failures)
    assert not failures, f"{model._meta.label}\n" + "\n".join(failures)


@pytest.mark.postgres
def test_the_fuzz_would_catch_a_server_error(walked, settings):
    """The walk can fail: without the cleaning at the door, a NUL in the admin's filter
    reaches PostgreSQL, which refuses it, and the check reports the 500."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "core.middleware.CleanInputMiddleware"]
    failures: list[str] = []
    client = _client(walked, "superuser")
    _check(_send(client, "GET", reverse("admin:proposals_proposal_changelist"), data={"state": NUL}),
           "admin filter", failures)
    assert failures == ["admin filter: 500"]
