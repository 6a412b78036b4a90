"""Lookups with an integer out of the database's range match nothing, instead of failing.

A forged request can put any number where an id goes: ``?agency=10**30`` in the admin's
filters, a select's value, a list of ids. Django's ``exact``, ``lt``, ``gt`` … on an
integer field already treat a value outside the column's range as matching nothing (or
everything); its ``in`` lookup, and every lookup through a foreign key, pass the value on
to the database, which refuses it (SQLite: OverflowError; PostgreSQL: "out of range"),
and the page answered 500. The lookups registered here (:func:`register`, called once
when the project starts) give them Django's own behaviour.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import ForeignObject, IntegerField
from django.db.models.expressions import ColPairs
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import In


def _integer_range(output_field, connection) -> tuple[int | None, int | None] | None:
    """The range of the integer column a lookup compares with; None when it is not one."""
    field = getattr(output_field, "target_field", None) or output_field
    internal = field.get_internal_type()
    if internal not in connection.ops.integer_field_ranges:
        return None
    return connection.ops.integer_field_range(internal)


def _outside(value, bounds) -> int:
    """-1 below the range, 1 above it, 0 inside (or not an integer)."""
    if bounds is None or not isinstance(value, int) or isinstance(value, bool):
        return 0
    low, high = bounds
    if low is not None and value < low:
        return -1
    if high is not None and value > high:
        return 1
    return 0


class _OneValueInRange:
    """For a single value: below the range is ``underflow``, above it ``overflow``."""

    underflow_exception = EmptyResultSet
    overflow_exception = EmptyResultSet

    def process_rhs(self, compiler, connection):
        if not isinstance(self.lhs, ColPairs) and self.rhs_is_direct_value():
            side = _outside(self.rhs, _integer_range(self.lhs.output_field, connection))
            if side < 0:
                raise self.underflow_exception
            if side > 0:
                raise self.overflow_exception
        return super().process_rhs(compiler, connection)


class _ValuesInRange:
    """For ``in``: values outside the range are left out; with none left, nothing matches."""

    def process_rhs(self, compiler, connection):
        if not isinstance(self.lhs, ColPairs) and self.rhs_is_direct_value():
            bounds = _integer_range(self.lhs.output_field, connection)
            if bounds is not None:
                kept = [value for value in self.rhs if _outside(value, bounds) == 0]
                if not kept:
                    raise EmptyResultSet
                self.rhs = kept
        return super().process_rhs(compiler, connection)


class IntegerFieldIn(_ValuesInRange, In):
    pass


class RelatedInRange(_ValuesInRange, RelatedIn):
    pass


class RelatedExactInRange(_OneValueInRange, RelatedExact):
    pass


class RelatedGreaterThanInRange(_OneValueInRange, RelatedGreaterThan):
    underflow_exception = FullResultSet


class RelatedGreaterThanOrEqualInRange(_OneValueInRange, RelatedGreaterThanOrEqual):
    underflow_exception = FullResultSet


class RelatedLessThanInRange(_OneValueInRange, RelatedLessThan):
    overflow_exception = FullResultSet


class RelatedLessThanOrEqualInRange(_OneValueInRange, RelatedLessThanOrEqual):
    overflow_exception = FullResultSet


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
    for lookup in (RelatedInRange, RelatedExactInRange, RelatedGreaterThanInRange,
                   RelatedGreaterThanOrEqualInRange, RelatedLessThanInRange,
                   RelatedLessThanOrEqualInRange):
        ForeignObject.register_lookup(lookup)
