"""Bad import files: each ends in located messages naming the place and the problem, through
the command's exit code and standard error — never a traceback — and imports nothing. The
importer keeps the limits the forms keep (the models' fields), and reads no file larger
than IMPORT_MAX_MB."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from proposals.models import Proposal
from tests.test_interchange import example

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def refusal(tmp_path: Path, raw: bytes) -> str:
    path = tmp_path / "in.json"
    path.write_bytes(raw)
    with pytest.raises(CommandError) as caught:
        call_command("import_proposals", str(path))
    assert not Proposal.objects.exists()
    return str(caught.value)


def dumped(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def test_a_file_nested_thousands_of_levels_deep(tmp_path):
    message = refusal(tmp_path, b"[" * 5000 + b"]" * 5000)
    assert "file: nested too deeply" in message


def test_a_number_of_five_thousand_digits(tmp_path):
    data = example()
    data["proposals"][0]["round"] = 12345678987654321
    raw = dumped(data).replace(b"12345678987654321", b"9" * 5000)
    message = refusal(tmp_path, raw)
    assert message.startswith(f"{tmp_path / 'in.json'} was not imported")
    assert "file: not valid JSON" in message and "digits" in message


def test_a_number_of_four_thousand_digits_is_named_short(tmp_path):
    data = example()
    data["proposals"][0]["round"] = int("9" * 4000)
    message = refusal(tmp_path, dumped(data))
    assert "proposals[0].round: expected a number from 1 to 99, got a number (99999" in message
    assert len(message) < 2000


def test_nul_and_other_control_characters_are_located(tmp_path):
    data = example()
    data["proposals"][0]["title"] = "关于\u0000建议"
    data["proposals"][0]["recommendations"][0]["body"] = "正文\u001b[31m"
    message = refusal(tmp_path, dumped(data))
    assert "proposals[0].title: contains a control character (U+0000) at character 3" in message
    assert "proposals[0].recommendations[0].body: contains a control character (U+001B)" in message


def test_texts_keep_the_forms_limits(tmp_path):
    data = example()
    data["proposals"][0]["body"] = "字" * 7_300_000
    message = refusal(tmp_path, dumped(data))
    assert "proposals[0].body: too long: at most 50000 characters, got 7300000" in message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, settings):
    settings.IMPORT_MAX_MB = 1
    raw = dumped(example()) + b" " * (1024 * 1024)
    message = refusal(tmp_path, raw)
    assert "file: too large" in message and "at most 1 MB" in message


@pytest.mark.parametrize("raw, expected", [
    (b"", "file: empty"),
    (b"   \n", "file: empty"),
    (b"\xef\xbb\xbf[]", "file: expected a JSON object, got a list"),
    (b"\xff\xfe{}", "file: not UTF-8 text (byte 0)"),
    (b'{"format": NaN}', "file: not valid JSON: NaN is not a number JSON allows"),
    (b'{"format": ', "file: not valid JSON: Expecting value (line 1, column 12)"),
])
def test_broken_files(tmp_path, raw, expected):
    assert expected in refusal(tmp_path, raw)


def test_dates_stay_within_the_session(tmp_path):
    data = example()
    for assignment in data["proposals"][0]["assignments"]:
        assignment["due_on"] = "9999-12-31"
    message = refusal(tmp_path, dumped(data))
    assert "proposals[0].assignments[0].due_on: 9999-12-31 is outside the session's range" in message


def test_the_command_exits_with_an_error_and_no_traceback(tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(b'{"a":' + b"[" * 3000 + b"]" * 3000 + b"}")
    done = subprocess.run([sys.executable, "manage.py", "import_proposals", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings",
                               "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                               "HOME": str(tmp_path), "LANG": "C.UTF-8"})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "nested too deeply" in done.stderr
