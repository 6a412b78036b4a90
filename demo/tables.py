"""Writing generated rows in bulk, table by table."""

from __future__ import annotations

import json
from collections import namedtuple

from django.db import connection
from django.db.models import Max

from history.models import StateChange
from proposals.models import (
    Assignment,
    Feedback,
    Proposal,
    Recommendation,
    Signature,
)
from replies.models import ReplyLetter, Section

_Rec = namedtuple("_Rec", "id ordinal title")
# The tables written for each proposal, in the order their rows refer to each other, and
# whether their rows' ids are chosen here (to be referred to) or left to the database.
WRITTEN = {Proposal: True, Signature: False, Recommendation: True, Assignment: True, Section: True,
           ReplyLetter: True, Feedback: True, StateChange: False}


class Table:
    """Rows for one model's table, written in one go: COPY on PostgreSQL, executemany elsewhere.

    Plain rows rather than model instances keep a hundred thousand proposals (some
    three million rows) within minutes. Rows are given by field attname; a field left
    out takes its default, so fields added to the models later need nothing here.
    Ids are taken from the table's own sequence, so rows can refer to each other
    before they are written.
    """

    def __init__(self, model, *, ids: bool):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if ids or not f.primary_key]
        self.names = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields
                         if f.has_default() or f.null or f.empty_strings_allowed}
        ops = connection.ops
        adapters = {"DateTimeField": ops.adapt_datetimefield_value, "DateField": ops.adapt_datefield_value,
                    "JSONField": lambda value: json.dumps(value, ensure_ascii=False)}
        self.adapters = [adapters.get(f.get_internal_type()) for f in self.fields]
        self.rows: list[list] = []
        self.free: list[int] = []
        self.following: int | None = None

    def add(self, **values) -> None:
        row = []
        for name, adapt in zip(self.names, self.adapters, strict=True):
            value = values[name] if name in values else self.defaults[name]
            row.append(adapt(value) if adapt is not None and value is not None else value)
        self.rows.append(row)

    def next_id(self) -> int:
        if not self.free:
            self.free = self._take_ids(5000)
        return self.free.pop()

    def _take_ids(self, count: int) -> list[int]:
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [table, count])
                return sorted((row[0] for row in cursor.fetchall()), reverse=True)
            if self.following is None:
                top = self.model.objects.aggregate(top=Max("pk"))["top"] or 0
                if connection.vendor == "sqlite":
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    found = cursor.fetchone()
                    top = max(top, found[0] if found else 0)
                self.following = top + 1
        start, self.following = self.following, self.following + count
        return list(range(start + count - 1, start - 1, -1))

    def write(self) -> int:
        if not self.rows:
            return 0
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", self.rows)
        count, self.rows = len(self.rows), []
        return count
