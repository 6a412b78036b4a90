"""Typed, error-collecting access to a parsed JSON file, and the shapes a checked file takes."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from core.text import first_control
from proposals.models import Proposal
from replies.models import ReplyLetter

_MISSING = object()
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PROPOSAL_NUMBER = re.compile(r"^[0-9]{1,20}$")

# Proposal states in which the proposal has been handed to agencies.
HANDLED_STATES = (
    Proposal.State.ASSIGNED, Proposal.State.REPLIED, Proposal.State.REOPENED, Proposal.State.CLOSED,
)
# Letter states that carry a document number and a fixed text.
FINAL_LETTER_STATES = (ReplyLetter.State.SIGNED, ReplyLetter.State.ISSUED, ReplyLetter.State.VOIDED)
MAX_ROUND = 99


def quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_kind(value: Any) -> str:
    """How a JSON value is named in an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        text = str(value)
        return f"a number ({text if len(text) <= 40 else text[:20] + '…'})"
    if isinstance(value, str):
        return f"a string ({quote(value if len(value) <= 60 else value[:40] + '…')})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass
class Row:
    """One record of the file: where it is and the values to store."""

    path: str
    values: dict


@dataclass
class ProposalPlan:
    path: str
    session: str
    number: str
    category: str | None
    values: dict
    proposers: list[Row] = field(default_factory=list)
    recommendations: list[Row] = field(default_factory=list)
    assignments: list[Row] = field(default_factory=list)
    sections: list[Row] = field(default_factory=list)
    letters: list[Row] = field(default_factory=list)
    feedback: list[Row] = field(default_factory=list)
    # None when the file has no "contacts" (files written before contacts were exported):
    # the proposal's contacts are then left as they are.
    contacts: list[Row] | None = None


@dataclass
class Plan:
    agencies: list[Row]
    sessions: list[Row]
    proposals: list[ProposalPlan]


class Checker:
    """Typed access to JSON objects that records an error instead of failing.

    Each getter returns the value, the default when the key is absent or null, or
    None when the value is wrong (the error is recorded; the file will be refused).
    """

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def _get(self, obj: dict, key: str, path: str, required: bool):
        value = obj.get(key)
        if value is None:
            if required:
                self.error(join(path, key), "missing")
            return _MISSING
        return value

    def string(self, obj, key, path, *, required=False, default="", nonblank=False, max_length=None):
        value = self._get(obj, key, path, required)
        if value is _MISSING:
            return None if required else default
        where = join(path, key)
        if not isinstance(value, str):
            self.error(where, f"expected a string, got {json_kind(value)}")
            return None
        if nonblank and not value.strip():
            self.error(where, "must not be empty")
            return None
        if max_length is not None and len(value) > max_length:
            self.error(where, f"too long: at most {max_length} characters, got {len(value)}")
            return None
        return value if self.text_ok(value, where) else None

    def text_ok(self, value: str, where: str) -> bool:
        """A string without control characters (NUL …), which no text has and PostgreSQL refuses."""
        found = first_control(value)
        if found is not None:
            self.error(where, f"contains a control character ({found[1]}) at character {found[0] + 1}")
            return False
        return True

    def integer(self, obj, key, path, *, required=False, default=None, low=None, high=None):
        value = self._get(obj, key, path, required)
        if value is _MISSING:
            return None if required else default
        where = join(path, key)
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(where, f"expected a whole number, got {json_kind(value)}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.error(where, f"expected a number from {low} to {high}, got {json_kind(value)}")
            return None
        return value

    def boolean(self, obj, key, path, *, default=False):
        value = self._get(obj, key, path, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.error(join(path, key), f"expected true or false, got {json_kind(value)}")
            return None
        return value

    def date(self, obj, key, path, *, required=False):
        value = self._get(obj, key, path, required)
        if value is _MISSING:
            return None
        where = join(path, key)
        if isinstance(value, str) and _DATE.match(value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(where, f"expected a date as YYYY-MM-DD, got {json_kind(value)}")
        return None

    def choice(self, obj, key, path, choices: Iterable[str], *, what: str, required=False,
               default=None):
        value = self.string(obj, key, path, required=required, default=default)
        choices = list(choices)
        if value is None or value == default:
            return value
        if value not in choices:
            self.error(
                join(path, key),
                f"unknown {what} {quote(value)} (expected one of: {', '.join(choices)})",
            )
            return None
        return value

    def strings(self, obj, key, path, *, max_length=None) -> list[str] | None:
        value = self._get(obj, key, path, False)
        if value is _MISSING:
            return []
        where = join(path, key)
        if not isinstance(value, list):
            self.error(where, f"expected a list of strings, got {json_kind(value)}")
            return None
        bad = [i for i, item in enumerate(value) if not isinstance(item, str)]
        for i in bad:
            self.error(f"{where}[{i}]", f"expected a string, got {json_kind(value[i])}")
        bad += [i for i, item in enumerate(value)
                if i not in bad and not self.text_ok(item, f"{where}[{i}]")]
        if not bad and max_length is not None and sum(len(item) + 1 for item in value) > max_length:
            self.error(where, f"too long: at most {max_length} characters in all")
            return None
        return None if bad else list(value)

    def objects(self, obj, key, path) -> list[tuple[str, dict]]:
        """The objects of the list ``obj[key]``, each with its path; absent or null is empty."""
        value = self._get(obj, key, path, False)
        if value is _MISSING:
            return []
        where = join(path, key)
        if not isinstance(value, list):
            self.error(where, f"expected a list, got {json_kind(value)}")
            return []
        items = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                items.append((f"{where}[{i}]", item))
            else:
                self.error(f"{where}[{i}]", f"expected an object, got {json_kind(item)}")
        return items

    def validator(self, check, value, where: str) -> bool:
        """Run a model validator; record its message when it refuses ``value``."""
        if value is None:
            return False
        try:
            check(value)
        except ValidationError as error:
            self.error(where, error.messages[0])
            return False
        return True

    def duplicates(self, rows: Iterable[tuple[str, Any]], describe) -> None:
        """Report each key seen before, at the later place."""
        seen: dict[Any, str] = {}
        for where, key in rows:
            if key is None:
                continue
            if key in seen:
                self.error(where, f"duplicate {describe(key)}, also at {seen[key]}")
            else:
                seen[key] = where
