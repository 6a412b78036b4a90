"""Document numbers (发文字号) such as 中工商联函〔2023〕11号.

Prefix + 〔year〕 + serial + 号, with the brackets U+3014 / U+3015 and no leading
zeros. Serials are counted per prefix and year in :class:`DocumentCounter`, whose
row is locked while a number is taken, so numbers never repeat even when many
letters are signed at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.workflow import DomainError

from .models import DocumentCounter, ReplyLetter

# Brackets people type instead of 〔〕 are read as 〔〕.
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "【": "〔", "】": "〕",
                           "(": "〔", ")": "〕", "（": "〔", "）": "〕", "﹝": "〔", "﹞": "〕"})
_NUMBER = re.compile(r"^(?P<prefix>[^〔〕\s]+)〔(?P<year>\d{4})〕(?P<serial>\d+)号$")


@dataclass(frozen=True)
class DocumentNumber:
    prefix: str
    year: int
    serial: int

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.serial}号"


def parse_document_number(text: str) -> DocumentNumber:
    """Read a document number, accepting [] or () for 〔〕; refuse anything else."""
    cleaned = (text or "").strip().translate(_BRACKETS)
    match = _NUMBER.match(cleaned)
    if not match:
        raise DomainError(
            _("发文字号“%(text)s”格式不对，应为“前缀〔年份〕序号号”，例如“中工商联函〔2023〕11号”。")
            % {"text": text},
            field="number",
        )
    serial = match["serial"]
    if int(serial) == 0:
        raise DomainError(_("发文字号“%(text)s”的序号须从1开始。") % {"text": text}, field="number")
    if serial.startswith("0"):
        raise DomainError(
            _("发文字号“%(text)s”的序号不能有前导零（应写作 %(fixed)s）。")
            % {"text": text, "fixed": int(serial)},
            field="number",
        )
    year = int(match["year"])
    if not 1949 <= year <= 2200:
        raise DomainError(_("发文字号“%(text)s”的年份不对。") % {"text": text}, field="number")
    return DocumentNumber(match["prefix"], year, int(serial))


def _locked_counter(prefix: str, year: int) -> DocumentCounter:
    # INSERT … ON CONFLICT DO NOTHING, then lock: safe when two transactions start a year at once.
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(prefix=prefix, year=year)], ignore_conflicts=True
    )
    return DocumentCounter.objects.select_for_update().get(prefix=prefix, year=year)


def allocate_document_number(prefix: str, year: int) -> DocumentNumber:
    """Take the next serial for ``prefix`` and ``year``. Must run inside a transaction."""
    counter = _locked_counter(prefix, year)
    serial = counter.last_serial + 1
    taken = set(
        ReplyLetter.objects.filter(doc_prefix=prefix, doc_year=year, doc_serial__gte=serial)
        .values_list("doc_serial", flat=True)
    )
    while serial in taken:
        serial += 1
    counter.last_serial = serial
    counter.save(update_fields=["last_serial"])
    return DocumentNumber(prefix, year, serial)


def note_document_number(number: DocumentNumber) -> None:
    """Move the counter past a number that came from elsewhere (an import)."""
    counter = _locked_counter(number.prefix, number.year)
    if number.serial > counter.last_serial:
        counter.last_serial = number.serial
        counter.save(update_fields=["last_serial"])
