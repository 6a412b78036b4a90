"""SMS to proposers: the pluggable backend, Alibaba Cloud's API against a fake server on
loopback, the daily cap, recorded failures, texts that follow a proposal's moves, and the
sign-in code."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import Client
from django.urls import reverse

from members import services as members
from notifications import sms
from notifications.models import SmsMessage
from proposals import services as ps

pytestmark = pytest.mark.django_db

SECRET = "fake-secret"


class FakeAliyun(BaseHTTPRequestHandler):
    """Checks each request's signature as the provider does, and answers with ``reply``."""

    reply: dict = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r1"}
    seen: list = []

    def do_GET(self):  # noqa: N802 (the http.server name)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query, keep_blank_values=True))
        signature = query.pop("Signature", "")
        encode = lambda value: urllib.parse.quote(str(value), safe="~")  # noqa: E731
        canonical = "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(query.items()))
        to_sign = f"GET&{encode('/')}&{encode(canonical)}"
        expected = base64.b64encode(hmac.new(f"{SECRET}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
        FakeAliyun.seen.append(query)
        if signature != expected:
            body, status = {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}, 400
        else:
            body, status = FakeAliyun.reply, 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def aliyun(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeAliyun)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeAliyun.seen = []
    FakeAliyun.reply = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r1"}
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ALIYUN_ENDPOINT = f"http://127.0.0.1:{server.server_port}/"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "fake-key"
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = SECRET
    settings.SMS_ALIYUN_SIGN_NAME = "政协提案"
    settings.SMS_ALIYUN_TEMPLATE = "SMS_1001"
    settings.SMS_ALIYUN_LOGIN_TEMPLATE = "SMS_1002"
    settings.SMS_TIMEOUT = 5
    yield FakeAliyun
    server.shutdown()
    server.server_close()


def test_the_console_backend_records_what_it_would_send(settings, caplog):
    settings.SMS_BACKEND = "console"
    record = sms.send(mobile="13800000001", text="提案已交办。", purpose="proposal_assigned")
    assert record.state == SmsMessage.State.SENT and record.backend == "console"
    assert "13800000001" in caplog.text and "提案已交办" in caplog.text


def test_no_backend_sends_nothing(settings):
    settings.SMS_BACKEND = "none"
    assert sms.send(mobile="13800000001", text="x", purpose="p") is None
    assert not SmsMessage.objects.exists()


def test_aliyun_sends_a_signed_request(aliyun):
    record = sms.send(mobile="13800000001", text="您的提案已答复。", purpose="proposal_answered")
    assert record.state == SmsMessage.State.SENT and record.provider_id == "900619746936498440^0"
    query = aliyun.seen[-1]
    assert query["Action"] == "SendSms" and query["PhoneNumbers"] == "13800000001"
    assert query["SignName"] == "政协提案" and query["TemplateCode"] == "SMS_1001"
    assert json.loads(query["TemplateParam"]) == {"text": "您的提案已答复。"}
    assert query["SignatureMethod"] == "HMAC-SHA1" and query["Version"] == "2017-05-25"


def test_a_wrong_secret_is_a_recorded_failure(aliyun, settings):
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"
    record = sms.send(mobile="13800000001", text="x", purpose="p")
    assert record.state == SmsMessage.State.FAILED and "SignatureDoesNotMatch" in record.error


def test_a_refusal_by_the_provider_is_recorded(aliyun):
    aliyun.reply = {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
    record = sms.send(mobile="13800000001", text="x", purpose="p")
    assert record.state == SmsMessage.State.FAILED and record.error == "isv.MOBILE_NUMBER_ILLEGAL: 非法手机号"


def test_an_unreachable_provider_is_recorded_not_raised(aliyun, settings):
    settings.SMS_ALIYUN_ENDPOINT = "http://127.0.0.1:9/"
    record = sms.send(mobile="13800000001", text="x", purpose="p")
    assert record.state == SmsMessage.State.FAILED and record.error


def test_a_mobile_gets_at_most_the_daily_limit(aliyun, settings):
    settings.SMS_DAILY_LIMIT = 2
    states = [sms.send(mobile="13800000001", text=f"第{i}条", purpose="p").state for i in range(3)]
    assert states == ["sent", "sent", "capped"]
    assert len(aliyun.seen) == 2  # the capped one never left
    assert sms.send(mobile="13800000002", text="另一个号码", purpose="p").state == "sent"


def test_proposers_are_texted_when_their_proposal_moves(world, settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "console"
    members.account_create(username="m1", name="张委员", mobile="13800000011", password="x" * 8)
    members.account_create(username="m2", name="李委员", password="x" * 8)  # no mobile: no text
    proposal = world.proposal(proposers=[{"name": "张委员", "kind": "member"},
                                         {"name": "李委员", "kind": "member", "role": "co-signer"}])
    with django_capture_on_commit_callbacks(execute=True):
        ps.proposal_register(proposal=proposal, actor=world.liaison)
    texts = list(SmsMessage.objects.values_list("mobile", "purpose", "state"))
    assert texts == [("13800000011", "proposal_reviewed", "sent")]
    with django_capture_on_commit_callbacks(execute=True):
        ps.proposal_assign(proposal=proposal, actor=world.liaison, assignments=[
            {"agency": world.lead, "role": "lead", "assigned_on": datetime.date(2023, 3, 1),
             "due_on": datetime.date(2023, 6, 1)}])
    assigned = SmsMessage.objects.get(purpose="proposal_assigned")
    assert world.lead.short_name in assigned.text


# ---------------------------------------------------------------- the sign-in code


class Captured:
    """An SMS backend for the tests: keeps what it was asked to send."""

    name = "captured"
    sent: list = []

    def send(self, mobile, text, *, purpose, params):
        Captured.sent.append((mobile, purpose, params))
        return "captured"


@pytest.fixture
def texted_login(settings, world):
    settings.SMS_BACKEND = "tests.test_sms.Captured"
    settings.PROPOSER_SMS_LOGIN = True
    Captured.sent = []
    members.account_create(username="m1", name="张委员", mobile="13800000011", password="pass-2023-x")
    return world


def test_a_proposer_signs_in_with_a_texted_code(texted_login):
    client = Client()
    response = client.post(reverse("login"), {"username": "m1", "password": "pass-2023-x"})
    assert response["Location"] == reverse("sms_login")
    assert "_auth_user_id" not in client.session  # not signed in yet
    page = client.get(reverse("sms_login")).content.decode()
    assert "138****0011" in page
    mobile, purpose, params = Captured.sent[-1]
    assert (mobile, purpose) == ("13800000011", "login") and re.fullmatch(r"\d{6}", params["code"])
    wrong = "000000" if params["code"] != "000000" else "111111"
    assert "验证码不正确" in client.post(reverse("sms_login"), {"code": wrong}).content.decode()
    done = client.post(reverse("sms_login"), {"code": params["code"]})
    assert done.status_code == 302 and "_auth_user_id" in client.session
    assert client.get("/")["Location"] == reverse("members:home")


def test_five_wrong_codes_end_the_attempt(texted_login):
    client = Client()
    client.post(reverse("login"), {"username": "m1", "password": "pass-2023-x"})
    code = Captured.sent[-1][2]["code"]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        client.post(reverse("sms_login"), {"code": wrong})
    last = client.post(reverse("sms_login"), {"code": wrong})
    assert last["Location"] == reverse("login")
    assert client.post(reverse("sms_login"), {"code": code})["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_staff_and_accounts_without_a_mobile_sign_in_with_the_password_alone(texted_login):
    members.account_create(username="m2", name="李委员", password="pass-2023-x")
    for username in ("m2",):
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": "pass-2023-x"})
        assert response["Location"] != reverse("sms_login") and "_auth_user_id" in client.session
    assert not [s for s in Captured.sent if s[1] == "login"]
