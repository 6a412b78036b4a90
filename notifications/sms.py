"""短信: text messages to people's mobiles, through a pluggable backend.

``SMS_BACKEND`` names the backend: ``console`` (the default: the message is written to the
log, for development and the demo), ``aliyun`` (Alibaba Cloud's SMS service, its
``SendSms`` HTTP API signed with the account's AccessKey) or ``none`` (no messages).
:func:`send` is the one way out: it keeps to ``SMS_DAILY_LIMIT`` messages per mobile
number and day and records every message with its outcome (:class:`SmsMessage`) —
sent, failed with the provider's reason, or not sent because of the cap.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import SmsMessage

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The provider did not accept the message; the text is its reason."""


class ConsoleBackend:
    """Writes each message to the log instead of sending it."""

    name = "console"

    def send(self, mobile: str, text: str, *, purpose: str, params: dict) -> str:
        logger.warning("SMS to %s (%s): %s", mobile, purpose, text)
        return ""


class AliyunBackend:
    """Alibaba Cloud SMS (Dysmsapi ``SendSms``, API version 2017-05-25).

    A message is a template approved by the provider with the deployment's signature
    name: ``SMS_ALIYUN_TEMPLATE`` for notifications (one variable, ``text``) and
    ``SMS_ALIYUN_LOGIN_TEMPLATE`` for sign-in codes (one variable, ``code``). Requests are
    signed with HMAC-SHA1 over the sorted, percent-encoded parameters (the provider's RPC
    signature, version 1.0).
    """

    name = "aliyun"
    VERSION = "2017-05-25"

    def __init__(self):
        self.endpoint = settings.SMS_ALIYUN_ENDPOINT
        self.key_id = settings.SMS_ALIYUN_ACCESS_KEY_ID
        self.secret = settings.SMS_ALIYUN_ACCESS_KEY_SECRET
        self.sign_name = settings.SMS_ALIYUN_SIGN_NAME
        self.timeout = settings.SMS_TIMEOUT

    @staticmethod
    def encode(value: str) -> str:
        return urllib.parse.quote(str(value), safe="~")

    @classmethod
    def signature(cls, params: dict, secret: str, method: str = "GET") -> str:
        canonical = "&".join(f"{cls.encode(k)}={cls.encode(v)}" for k, v in sorted(params.items()))
        to_sign = f"{method}&{cls.encode('/')}&{cls.encode(canonical)}"
        digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()

    def send(self, mobile: str, text: str, *, purpose: str, params: dict) -> str:
        template = settings.SMS_ALIYUN_LOGIN_TEMPLATE if purpose == "login" else settings.SMS_ALIYUN_TEMPLATE
        query = {
            "AccessKeyId": self.key_id, "Action": "SendSms", "Format": "JSON", "PhoneNumbers": mobile,
            "RegionId": "cn-hangzhou", "SignName": self.sign_name, "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0", "TemplateCode": template,
            "TemplateParam": json.dumps(params, ensure_ascii=False),
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": self.VERSION,
        }
        query["Signature"] = self.signature(query, self.secret)
        url = self.endpoint.rstrip("/") + "/?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 (configured https URL)
                answer = json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as error:
            try:
                answer = json.loads(error.read().decode() or "{}")
            except ValueError:
                raise SmsError(f"HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            raise SmsError(str(getattr(error, "reason", error))[:400]) from None
        if answer.get("Code") != "OK":
            raise SmsError(f"{answer.get('Code', '?')}: {answer.get('Message', '')}"[:400])
        return str(answer.get("BizId", ""))


BACKENDS = {"console": ConsoleBackend, "aliyun": AliyunBackend, "none": None}


def backend():
    name = settings.SMS_BACKEND
    if name in BACKENDS:
        chosen = BACKENDS[name]
        return chosen() if chosen else None
    return import_string(name)()


def enabled() -> bool:
    return settings.SMS_BACKEND != "none"


def sent_today(mobile: str) -> int:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return SmsMessage.objects.filter(mobile=mobile, created_at__gte=start,
                                     state=SmsMessage.State.SENT).count()


def send(*, mobile: str, text: str, purpose: str, user=None, params: dict | None = None) -> SmsMessage | None:
    """Send one message and record it. Over the day's cap nothing is sent (recorded as
    such); a provider's refusal or a network failure is recorded, never raised."""
    chosen = backend()
    if chosen is None or not mobile:
        return None
    record = SmsMessage(recipient=user, mobile=mobile, purpose=purpose[:20], text=text[:500],
                        backend=chosen.name)
    if sent_today(mobile) >= settings.SMS_DAILY_LIMIT:
        record.state = SmsMessage.State.CAPPED
        record.save()
        return record
    try:
        record.provider_id = chosen.send(mobile, text, purpose=purpose, params=params or {"text": text})[:100]
        record.state = SmsMessage.State.SENT
    except SmsError as error:
        record.state, record.error = SmsMessage.State.FAILED, str(error)[:500]
        logger.warning("SMS to %s failed: %s", mobile, error)
    record.save()
    return record
