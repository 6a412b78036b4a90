"""The fonts letters are printed with, and their metrics.

``settings.LETTER_FONTS`` lists, for each role (body 仿宋, title 小标宋, heading 黑体,
kai 楷体), font families in order of preference; an entry may name a style after a
colon (``FandolSong:bold``). The first family installed on the machine (as fontconfig
sees it) is the role's face; the others stand behind it for characters it lacks.
Metrics come from the font files themselves, so the layout knows how wide every line
is before WeasyPrint draws it.
"""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass

from django.conf import settings

PT_MM = 25.4 / 72


@dataclass(frozen=True)
class Face:
    family: str
    bold: bool
    path: str
    index: int

    @functools.cached_property
    def _tables(self):
        from fontTools.ttLib import TTFont

        font = TTFont(self.path, fontNumber=self.index, lazy=True)
        return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm

    def has(self, char: str) -> bool:
        return ord(char) in self._tables[0]

    def advance_em(self, char: str) -> float | None:
        cmap, metrics, units = self._tables
        glyph = cmap.get(ord(char))
        if glyph is None:
            return None
        return metrics[glyph][0] / units


@functools.lru_cache(maxsize=1)
def installed_faces() -> dict[tuple[str, bool], Face]:
    """Every installed (family, bold) → its file, as fontconfig lists them."""
    try:
        listing = subprocess.run(
            ["fc-list", "--format=%{family}|%{style}|%{weight}|%{index}|%{file}\n"],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    faces: dict[tuple[str, bool], Face] = {}
    for line in listing.splitlines():
        try:
            families, style, weight, index, path = line.split("|", 4)
        except ValueError:
            continue
        bold = "bold" in style.lower() or (weight.isdigit() and int(weight) >= 200)
        for family in families.split(","):
            key = (family.strip(), bold)
            # Prefer the plain style of a family over italic or condensed variants.
            if key not in faces or style.lower() in {"regular", "bold", "r"}:
                faces[key] = Face(family.strip(), bold, path, int(index or 0))
    return faces


def _parse(entry: str) -> tuple[str, bool]:
    family, _, style = entry.partition(":")
    return family.strip(), style.strip().lower() == "bold"


@dataclass(frozen=True)
class Stack:
    """A role's installed faces, most preferred first."""

    role: str
    faces: tuple[Face, ...]

    @property
    def primary(self) -> Face | None:
        return self.faces[0] if self.faces else None

    @property
    def bold(self) -> bool:
        return bool(self.faces) and self.faces[0].bold

    @property
    def css_families(self) -> str:
        names = []
        for face in self.faces:
            if face.family not in names:
                names.append(face.family)
        return ", ".join(f'"{name}"' for name in names) or "serif"

    def face_for(self, char: str) -> Face | None:
        for face in self.faces:
            if face.has(char):
                return face
        return None

    @functools.cached_property
    def _advances(self) -> dict[str, float]:
        return {}

    def advance_em(self, char: str) -> float:
        """Width of ``char`` in em, from the face that will draw it (1 em when none has it)."""
        known = self._advances.get(char)
        if known is None:
            face = self.face_for(char)
            known = self._advances[char] = 1.0 if face is None else face.advance_em(char)
        return known


@functools.cache
def stack(role: str) -> Stack:
    faces = installed_faces()
    chosen = []
    for entry in settings.LETTER_FONTS[role]:
        face = faces.get(_parse(entry))
        if face is not None and face not in chosen:
            chosen.append(face)
    return Stack(role, tuple(chosen))


def clear_caches() -> None:
    installed_faces.cache_clear()
    stack.cache_clear()


def missing_in(text: str, roles=("body", "title", "heading")) -> list[str]:
    """Characters of ``text`` that no face of any of ``roles`` has, in order of appearance."""
    stacks = [stack(role) for role in roles]
    missing: list[str] = []
    for char in text:
        if char.isspace() or char in missing:
            continue
        if not any(s.face_for(char) for s in stacks):
            missing.append(char)
    return missing
