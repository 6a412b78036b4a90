"""Two people saving one record: the later save, made from what was loaded before the
earlier one, is refused and shown what the other person saved.

Records edited on the site's pages (proposals, assignments' due dates, sections, letters)
carry a ``version`` that every save raises; the page sends back the version it was loaded
at, and the service compares it under the row's lock (:func:`check_version`). Records
edited only in the admin are compared by what they held when the page was loaded
(:func:`fingerprint`, see :class:`core.admin_site.ConcurrentEditGuard`), so that none of
them needs a column of its own for it.

Either way, the refusal (:class:`~core.workflow.ConcurrentEdit`) carries the values saved
meanwhile, and the form keeps what this user typed; saving again then overwrites the other
person's change knowingly.
"""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext as _

from core.workflow import ConcurrentEdit


def check_version(obj, expected_version: int | None, fields) -> None:
    """Refuse a save based on an old version of ``obj`` (read under its row lock), with the
    saved values of ``fields``, the fields being saved. ``None``: no version was sent (a
    caller that is not a form, such as an import), nothing to compare."""
    if expected_version is None or int(expected_version) == obj.version:
        return
    raise ConcurrentEdit(
        _("保存失败：在您编辑期间，%(who)s已被他人修改（当前为第%(v)s版）。请查看最新内容后再保存。")
        % {"who": obj._meta.verbose_name, "v": obj.version},
        changes={name: getattr(obj, name) for name in fields},
        current_version=obj.version,
    )


def guarded_fields(model, names) -> list:
    """The stored fields among ``names``, and the model's ``version`` when it has one (which
    also moves when rows edited with it, such as a proposal's recommendations, change)."""
    fields = []
    for field in model._meta.concrete_fields:
        if field.name in names or field.attname in names or field.name == "version":
            fields.append(field)
    return fields


def fingerprint(obj, names) -> str:
    """A digest of what ``obj`` holds in the fields ``names`` (see :func:`guarded_fields`):
    it changes whenever anyone saves a change to one of them."""
    values = [f"{field.attname}={field.value_to_string(obj)}"
              for field in guarded_fields(type(obj), names)]
    return hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:32]
