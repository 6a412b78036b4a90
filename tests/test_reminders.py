"""The daily reminders: what each officer and the liaison staff are sent, once a day.

The data set is built by hand: on 2023-05-28 (due soon = within the session's 7 days)

    proposal  agency  role  due         on 2023-05-28
    A         lead    lead  2023-06-01  due soon, 4 days left
    A         co      co    2023-05-20  overdue 8 days
    B         lead    lead  2023-05-28  due today
    B         co      co    2023-07-01  not due yet (34 days)
    C         lead    lead  2023-05-10  answered: the letter is signed
    C         co      co    2023-05-01  answered with the proposal (replied)
    D         lead    lead  2023-06-04  due soon, 7 days left (the last day that counts)
    D         co      co    2023-05-25  answered: its section is approved
    E         lead    lead  2023-06-05  not due yet (8 days)
    F         lead    lead  2023-05-18  overdue 10 days
    F         co      co    2023-05-27  overdue 1 day

so the lead agency's staff hear of F, B, A and D; the co-handler's of A and F; the liaison
staff of F (市工商联, 1 overdue, worst 10 days) then A and F (市民政局, 2, worst 8 days).
"""

from __future__ import annotations

import datetime
import json
import os
import smtplib
import subprocess
import sys
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection

from agencies.models import Membership
from notifications import tasks
from notifications.models import Notification, ReminderDelivery
from notifications.services import send_daily_reminders
from proposals import services as ps
from tests.factories import AgencyFactory, user_in
from tests.test_celery_worker import worker  # noqa: F401  (the embedded worker, a fixture)

D = datetime.date
TODAY = D(2023, 5, 28)
ROOT = Path(__file__).resolve().parent.parent


def proposal(world, title: str, lead_due: datetime.date, co_due: datetime.date | None = None):
    made = world.proposal(title=title)
    ps.proposal_register(proposal=made, actor=world.liaison)
    start = D(2023, 3, 1)
    assignments = [{"agency": world.lead, "role": "lead", "assigned_on": start, "due_on": lead_due}]
    if co_due:
        assignments.append({"agency": world.co, "role": "co", "assigned_on": start, "due_on": co_due})
    ps.proposal_assign(proposal=made, assignments=assignments, actor=world.liaison)
    made.refresh_from_db()
    return made


def build(world) -> dict:
    """The data set of the module's docstring; returns the proposals by letter."""
    for user in (world.liaison, world.office, world.lead_officer, world.lead_approver, world.co_officer):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    idle = AgencyFactory(code="idle", short_name="市空闲局")
    idle_officer = user_in(idle, "officer")
    idle_officer.email = "idle@example.org"
    idle_officer.save()
    made = {
        "A": proposal(world, "关于甲的建议", D(2023, 6, 1), D(2023, 5, 20)),
        "B": proposal(world, "关于乙的建议", D(2023, 5, 28), D(2023, 7, 1)),
        "C": proposal(world, "关于丙的建议", D(2023, 5, 10), D(2023, 5, 1)),
        "D": proposal(world, "关于丁的建议", D(2023, 6, 4), D(2023, 5, 25)),
        "E": proposal(world, "关于戊的建议", D(2023, 6, 5)),
        "F": proposal(world, "关于己的建议", D(2023, 5, 18), D(2023, 5, 27)),
    }
    world.signed_letter(made["C"])
    world.approved_section(made["D"].recommendations.get(ordinal=1), world.co)
    mail.outbox.clear()
    return made


def mails() -> dict[str, mail.EmailMessage]:
    found = {}
    for message in mail.outbox:
        [address] = message.to
        assert address not in found, f"{address} was sent two mails"
        found[address] = message
    return found


def item(p, role: str, due: str, days: str) -> str:
    return f"- 第{p.number}号提案《{p.title}》（{role}），办理期限{due}，{days}"


# ---------------------------------------------------------------- what is sent


@pytest.mark.django_db
def test_each_officer_gets_one_mail_listing_their_agencys_items(world):
    made = build(world)
    report = send_daily_reminders(today=TODAY)

    sent = mails()
    assert sorted(sent) == ["co-officer@example.org", "lead-approver@example.org",
                            "lead-officer@example.org", "liaison@example.org"]
    lead = sent["lead-officer@example.org"]
    assert lead.subject == "办理期限提醒：4件交办即将到期或已逾期"
    a, b, d, f = made["A"], made["B"], made["D"], made["F"]
    expected = "\n".join([
        "截至2023年5月28日，以下4件交办即将到期或已逾期，请及时办理：",
        "",
        "【测试市工商业联合会】",
        item(f, "主办", "2023年5月18日", "已逾期10天"),
        item(b, "主办", "2023年5月28日", "今天到期"),
        item(a, "主办", "2023年6月1日", "还剩4天"),
        item(d, "主办", "2023年6月4日", "还剩7天"),
        "",
        "请登录系统办理：http://127.0.0.1:8000/inbox/",
    ])
    assert expected in lead.body
    assert lead.body.startswith("lead-officer，您好：\n")
    assert sent["lead-approver@example.org"].body.replace("lead-approver", "lead-officer") == lead.body

    co = sent["co-officer@example.org"].body
    assert "以下2件交办" in co
    assert "\n".join([
        "【测试市民政局】",
        item(a, "会办", "2023年5月20日", "已逾期8天"),
        item(f, "会办", "2023年5月27日", "已逾期1天"),
    ]) in co
    for answered_or_not_due in ("关于乙的建议", "关于丙的建议", "关于丁的建议", "关于戊的建议"):
        assert answered_or_not_due not in co
    assert "关于戊的建议" not in lead.body and "关于丙的建议" not in lead.body

    assert sorted((d.username, d.kind, d.items) for d in report.sent) == [
        ("co-approver", "due_reminder", 2), ("co-officer", "due_reminder", 2),
        ("lead-approver", "due_reminder", 4), ("lead-officer", "due_reminder", 4),
        ("liaison", "overdue_digest", 3),
    ]


@pytest.mark.django_db
def test_the_liaison_digest_groups_the_overdue_by_agency_worst_first(world):
    made = build(world)
    send_daily_reminders(today=TODAY)
    digest = mails()["liaison@example.org"]
    assert digest.subject == "逾期汇总：3件交办已逾期"
    a, f = made["A"], made["F"]
    assert "\n".join([
        "截至2023年5月28日，共有3件交办已逾期，按承办单位汇总如下：",
        "",
        "【测试市工商业联合会】逾期1件，最长逾期10天",
        item(f, "主办", "2023年5月18日", "已逾期10天"),
        "",
        "【测试市民政局】逾期2件，最长逾期8天",
        item(a, "会办", "2023年5月20日", "已逾期8天"),
        item(f, "会办", "2023年5月27日", "已逾期1天"),
        "",
        "查看逾期提案：http://127.0.0.1:8000/proposals/?overdue=1",
    ]) in digest.body
    assert "关于乙的建议" not in digest.body and "关于丁的建议" not in digest.body


@pytest.mark.django_db
def test_everyone_reminded_also_finds_it_in_the_application(world):
    build(world)
    send_daily_reminders(today=TODAY)
    reminders = Notification.objects.filter(kind__in=["due_reminder", "overdue_digest"])
    by_user = {n.recipient.username: n for n in reminders.select_related("recipient")}
    assert sorted(by_user) == ["co-approver", "co-officer", "lead-approver", "lead-officer", "liaison"]
    lead = by_user["lead-officer"]
    assert (lead.title, lead.text, lead.link) == (
        "办理期限提醒：4件交办即将到期或已逾期", "市工商联：已逾期 1 件，即将到期 3 件。", "/inbox/",
    )
    assert lead.emailed_at is not None
    liaison = by_user["liaison"]
    assert liaison.text == "市工商联：逾期 1 件，最长逾期 10 天。\n市民政局：逾期 2 件，最长逾期 8 天。"
    assert liaison.link == "/proposals/?overdue=1"
    # The co-handler's approver has no address: in the application only.
    assert by_user["co-approver"].emailed_at is None
    assert "co-approver@example.org" not in mails()


@pytest.mark.django_db
def test_no_one_with_nothing_due_is_sent_anything(world):
    build(world)
    assert send_daily_reminders(today=D(2023, 3, 2)).sent == []
    assert mail.outbox == [] and not Notification.objects.filter(kind="due_reminder").exists()
    # Due soon but nothing overdue yet: the officers hear, the liaison staff do not.
    report = send_daily_reminders(today=D(2023, 5, 15))
    assert sorted(d.username for d in report.sent) == [
        "co-approver", "co-officer", "lead-approver", "lead-officer"]
    assert "liaison@example.org" not in mails() and "idle@example.org" not in mails()


@pytest.mark.django_db
def test_an_officer_in_two_roles_or_two_agencies_gets_one_mail(world):
    made = build(world)
    Membership.objects.create(user=world.lead_officer, agency=world.lead, role="approver")
    Membership.objects.create(user=world.lead_officer, agency=world.co, role="officer")
    send_daily_reminders(today=TODAY)
    body = mails()["lead-officer@example.org"].body
    assert "以下6件交办" in body
    assert body.count("【测试市工商业联合会】") == 1 and body.count("【测试市民政局】") == 1
    assert body.count(f"第{made['F'].number}号提案") == 2  # as lead and as co-handler


# ---------------------------------------------------------------- once a day


@pytest.mark.django_db
def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_sends_again(world):
    build(world)
    first = send_daily_reminders(today=TODAY)
    assert len(mail.outbox) == 4 and len(first.sent) == 5
    mail.outbox.clear()

    again = send_daily_reminders(today=TODAY)
    assert mail.outbox == [] and again.sent == []
    assert sorted(d.username for d in again.already) == sorted(d.username for d in first.sent)
    assert Notification.objects.filter(kind__in=["due_reminder", "overdue_digest"]).count() == 5

    tomorrow = send_daily_reminders(today=TODAY + datetime.timedelta(days=1))
    assert len(tomorrow.sent) == 5 and len(mail.outbox) == 4
    assert "已逾期11天" in mails()["lead-officer@example.org"].body
    assert ReminderDelivery.objects.count() == 10


@pytest.mark.django_db
def test_every_officer_hears_of_each_deadline_before_it_passes(world):
    """Run the job every morning: each item is first mentioned 7 days before its due date."""
    made = build(world)
    first_heard: dict[tuple[str, str, str], datetime.date] = {}
    day = D(2023, 5, 1)
    while day <= D(2023, 6, 10):
        mail.outbox.clear()
        send_daily_reminders(today=day)
        for address, message in mails().items():
            for letter, p in made.items():
                for agency in ("测试市工商业联合会", "测试市民政局"):
                    part = message.body.split(f"【{agency}】")[-1] if f"【{agency}】" in message.body else ""
                    part = part.split("【")[0]
                    if f"第{p.number}号提案" in part:
                        first_heard.setdefault((address, letter, agency), day)
        day += datetime.timedelta(days=1)

    lead, co = "测试市工商业联合会", "测试市民政局"
    due = {("A", lead): D(2023, 6, 1), ("A", co): D(2023, 5, 20), ("B", lead): D(2023, 5, 28),
           ("D", lead): D(2023, 6, 4), ("E", lead): D(2023, 6, 5), ("F", lead): D(2023, 5, 18),
           ("F", co): D(2023, 5, 27)}
    for officer, agency in (("lead-officer", lead), ("co-officer", co)):
        heard = {(letter, a): when for (address, letter, a), when in first_heard.items()
                 if address == f"{officer}@example.org"}
        expected = {key: when - datetime.timedelta(days=7) for key, when in due.items() if key[1] == agency}
        assert heard == expected, officer


@pytest.mark.django_db
def test_a_failed_mail_is_sent_by_the_next_run_and_the_others_only_once(world, settings):
    build(world)
    settings.EMAIL_BACKEND = "tests.test_reminders.RefusingBackend"
    RefusingBackend.refused = {"co-officer@example.org"}
    report = send_daily_reminders(today=TODAY)
    assert [d.username for d, _error in report.failed] == ["co-officer"]
    assert sorted(mails()) == ["lead-approver@example.org", "lead-officer@example.org",
                               "liaison@example.org"]
    assert not ReminderDelivery.objects.filter(recipient=world.co_officer).exists()
    assert not Notification.objects.filter(recipient=world.co_officer, kind="due_reminder").exists()

    RefusingBackend.refused = set()
    report = send_daily_reminders(today=TODAY)
    assert [d.username for d in report.sent] == ["co-officer"]
    assert sorted(mails()) == ["co-officer@example.org", "lead-approver@example.org",
                               "lead-officer@example.org", "liaison@example.org"]


class RefusingBackend(EmailBackend):
    """A mail server that refuses some addresses (the outside world, not the project)."""

    refused: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & self.refused:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
        return super().send_messages(messages)


@pytest.mark.django_db
def test_the_task_retries_a_failure_and_sends_the_others_only_once(world, settings, monkeypatch,
                                                                    caplog):
    from config.celery import app

    build(world)
    # Inline, a retry runs at once; let the last failure be the result instead of raised.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    settings.EMAIL_BACKEND = "tests.test_reminders.RefusingBackend"
    RefusingBackend.refused = {"co-officer@example.org"}
    try:
        result = tasks.send_daily_reminders.apply(args=["2023-05-28"])
    finally:
        RefusingBackend.refused = set()
    assert result.state == "FAILURE" and isinstance(result.result, tasks.RemindersFailed)
    runs = [r.getMessage() for r in caplog.records if r.getMessage().startswith("daily reminders")]
    assert runs == ["daily reminders for 2023-05-28: 4 sent, 0 already sent, 1 failed"] + \
        ["daily reminders for 2023-05-28: 0 sent, 4 already sent, 1 failed"] * 6
    assert sorted(mails()) == ["lead-approver@example.org", "lead-officer@example.org",
                               "liaison@example.org"]
    result = tasks.send_daily_reminders.apply(args=["2023-05-28"]).get()
    assert result == {"day": "2023-05-28", "sent": 1, "already": 4}


# ---------------------------------------------------------------- the command


@pytest.mark.django_db
def test_the_command_prints_what_it_sent(world):
    build(world)
    out = StringIO()
    call_command("send_reminders", "--date", "2023-05-28", stdout=out)
    text = out.getvalue()
    assert "2023-05-28 的每日提醒：" in text
    assert "已发送办理期限提醒 → lead-officer（lead-officer@example.org），4件" in text
    assert "已发送办理期限提醒 → co-approver（仅站内通知），2件" in text
    assert "已发送逾期汇总 → liaison（liaison@example.org），3件" in text
    assert text.rstrip().endswith("发送 5 份，此前已发送 0 份，失败 0 份。")

    out = StringIO()
    call_command("send_reminders", "--date", "2023-05-28", stdout=out)
    assert "当天已发送过办理期限提醒 → lead-officer，未重复发送" in out.getvalue()
    assert "发送 0 份，此前已发送 5 份，失败 0 份。" in out.getvalue()
    with pytest.raises(CommandError, match="--date"):
        call_command("send_reminders", "--date", "2023-02-30", stdout=StringIO())


# ---------------------------------------------------------------- settings and the schedule


PROBE = """
import json, django
from django.conf import settings
django.setup()
from config.celery import app
entry = app.conf.beat_schedule["daily-reminders"]
print(json.dumps({
    "task": entry["task"], "hours": sorted(entry["schedule"].hour),
    "minutes": sorted(entry["schedule"].minute), "tz": str(app.conf.timezone),
    "backend": settings.EMAIL_BACKEND, "host": settings.EMAIL_HOST, "port": settings.EMAIL_PORT,
    "tls": settings.EMAIL_USE_TLS, "sender": settings.DEFAULT_FROM_EMAIL, "site": settings.SITE_URL,
}))
"""
VARIABLES = ("REMINDER_TIME", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
             "EMAIL_USE_TLS", "DEFAULT_FROM_EMAIL", "SITE_URL")


def probe(**variables):
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env.update(variables, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_the_job_runs_daily_at_eight_in_shanghai_and_mails_print_by_default():
    done = probe()
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout.strip().splitlines()[-1])
    assert values["task"] == tasks.send_daily_reminders.name
    assert (values["hours"], values["minutes"], values["tz"]) == ([8], [0], "Asia/Shanghai")
    assert values["backend"] == "django.core.mail.backends.console.EmailBackend"
    assert values["site"] == "http://127.0.0.1:8000"


def test_the_time_and_the_mail_server_come_from_the_environment():
    done = probe(REMINDER_TIME="07:30", EMAIL_HOST="smtp.internal", EMAIL_PORT="587",
                 EMAIL_USE_TLS="true", DEFAULT_FROM_EMAIL="提案系统 <tian@zx.example>",
                 SITE_URL="https://tian.example/")
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout.strip().splitlines()[-1])
    assert (values["hours"], values["minutes"]) == ([7], [30])
    assert values["backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["host"], values["port"], values["tls"]) == ("smtp.internal", 587, True)
    assert values["sender"] == "提案系统 <tian@zx.example>"
    assert values["site"] == "https://tian.example"


def test_a_bad_reminder_time_stops_the_start_with_a_clear_message():
    done = probe(REMINDER_TIME="8点")
    assert done.returncode != 0
    assert "REMINDER_TIME must be HH:MM" in done.stderr


# ---------------------------------------------------------------- PostgreSQL and a real worker


@pytest.fixture
def data(world):
    """The data set, built (its own tasks run inline) before a worker is started."""
    return build(world)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_send_each_reminder_exactly_once(world):
    build(world)
    start = threading.Barrier(2)
    reports, errors = [], []

    def run():
        try:
            start.wait(timeout=10)
            reports.append(send_daily_reminders(today=TODAY))
        except Exception as error:  # reported below, with the thread's own failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(mails()) == ["co-officer@example.org", "lead-approver@example.org",
                               "lead-officer@example.org", "liaison@example.org"]
    sent = sorted(d.username for report in reports for d in report.sent)
    already = sorted(d.username for report in reports for d in report.already)
    everyone = ["co-approver", "co-officer", "lead-approver", "lead-officer", "liaison"]
    assert sent == everyone and already == everyone
    assert ReminderDelivery.objects.count() == 5
    assert Notification.objects.filter(kind__in=["due_reminder", "overdue_digest"]).count() == 5


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")
def test_the_scheduled_task_runs_in_a_real_worker(data, worker):  # noqa: F811
    from config.celery import app

    entry = app.conf.beat_schedule["daily-reminders"]
    result = app.send_task(entry["task"], args=["2023-05-28"])
    assert result.get(timeout=60) == {"day": "2023-05-28", "sent": 5, "already": 0}
    assert sorted(mails()) == ["co-officer@example.org", "lead-approver@example.org",
                               "lead-officer@example.org", "liaison@example.org"]
    runs = [run for run in worker.runs if run["task"] == entry["task"]]
    assert runs and runs[0]["eager"] is False and runs[0]["state"] == "SUCCESS"
    assert runs[0]["thread"] != threading.main_thread().name
    # The same day again, through the worker: nothing more is sent.
    mail.outbox.clear()
    assert app.send_task(entry["task"], args=["2023-05-28"]).get(timeout=60)["sent"] == 0
    assert mail.outbox == []

