"""What a laid-out page holds: lines of text in their places, rules, the seal, an
attachment's page or image, the QR code of the verification mark (all in mm from the
top-left corner of the text block)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .layout import PITCH, Line


@dataclass
class Text:
    line: Line
    top: float
    height: float = PITCH
    red: bool = False


@dataclass
class Rule:
    top: float
    left: float
    width: float
    thickness: float
    red: bool = False


@dataclass
class Seal:
    url: str
    top: float
    left: float
    size: float


@dataclass
class Inset:
    """An attachment's page or image placed in a box of the text block (mm from its corner)."""

    attachment: int
    kind: str
    page: int  # a PDF's page index
    top: float
    height: float


@dataclass
class Code:
    """The QR code of a verification code, placed in a square of ``size`` mm."""

    code: str
    top: float
    left: float
    size: float


@dataclass
class Sheet:
    """One printed page: its number and everything on it."""

    number: int
    texts: list[Text] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    seal: Seal | None = None
    inset: Inset | None = None
    qr: Code | None = None
