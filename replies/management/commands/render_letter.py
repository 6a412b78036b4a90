"""``python manage.py render_letter NUMBER_OR_ID -o FILE [--draft] [--no-seal]``."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.workflow import DomainError
from replies import services
from replies.models import ReplyLetter
from replies.numbering import parse_document_number
from replies.pdf import missing_characters, render_letter_pdf


def find_letter(key: str) -> ReplyLetter:
    """A letter by its document number (中工商联函〔2023〕11号, [] or () accepted) or its id."""
    key = (key or "").strip()
    letters = ReplyLetter.objects.select_related("proposal__session", "agency")
    if key.isdigit():
        letter = letters.filter(pk=int(key)).first()
        if letter is None:
            raise CommandError(_("没有编号为 %(key)s 的答复函。") % {"key": key})
        return letter
    letter = letters.filter(number=key).first()
    if letter is None:
        try:
            number = parse_document_number(key)
        except DomainError as error:
            raise CommandError(
                _("没有发文字号为“%(key)s”的答复函：%(why)s") % {"key": key, "why": error.message}
            ) from error
        letter = letters.filter(number=str(number)).first()
    if letter is None:
        raise CommandError(_("没有发文字号为“%(key)s”的答复函。") % {"key": key})
    return letter


class Command(BaseCommand):
    help = (
        "把一份答复函输出为PDF。已签发、已印发或已作废的答复函（包括导入的历史答复函）按其"
        "发文字号输出正式文本，带印章时即存档的签发稿；--draft 输出标有“草稿”的预览。"
    )

    def add_arguments(self, parser):
        parser.add_argument("letter", metavar="NUMBER_OR_ID",
                            help="发文字号（如 中工商联函〔2023〕11号）或答复函编号")
        parser.add_argument("-o", "--output", required=True, metavar="FILE",
                            help="输出文件；“-”表示写到标准输出")
        parser.add_argument("--draft", action="store_true", help="输出草稿预览（标有“草稿”）")
        parser.add_argument("--no-seal", action="store_true", help="不加印章（供手工盖章）")

    def handle(self, *args, letter, output, draft, no_seal, **options):
        letter = find_letter(letter)
        missing = missing_characters(letter)
        if missing:
            self.stderr.write(self.style.WARNING(
                _("注意：以下字符在已配置的字体中都没有，打印出来会缺字：%(chars)s")
                % {"chars": "、".join(missing)}
            ))
        if not draft and not letter.is_final:
            self.stderr.write(self.style.WARNING(
                _("答复函尚未签发（%(state)s），输出的是草稿预览。")
                % {"state": letter.get_state_display()}
            ))
            draft = True
        try:
            if draft:
                data = render_letter_pdf(letter, draft=True, seal=not no_seal)
            elif no_seal:
                data = render_letter_pdf(letter, seal=False)
            else:
                data = services.letter_pdf_bytes(letter=letter)
        except DomainError as error:
            raise CommandError(error.message) from error
        self._write(data, output)
        if output != "-":
            what = _("草稿预览") if draft else (letter.number or _("答复函 %(id)s") % {"id": letter.pk})
            self.stderr.write(
                _("已输出 %(what)s：%(file)s（%(size)s 字节）")
                % {"what": what, "file": output, "size": len(data)}
            )

    def _write(self, data: bytes, output: str) -> None:
        if output == "-":
            self.stdout.flush()
            stream = getattr(self.stdout, "buffer", None) or sys.stdout.buffer
            stream.write(data)
            stream.flush()
            return
        try:
            Path(output).write_bytes(data)
        except OSError as error:
            raise CommandError(
                _("无法写入 %(file)s：%(why)s") % {"file": output, "why": error.strerror or error}
            ) from error
