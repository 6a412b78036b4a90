"""How Chinese text is cut into searchable terms, how a query is read, and how hits are marked.

Chinese has no spaces between words, so a document is indexed by the overlapping
pairs of characters (bigrams) of each run of Chinese characters: 养老服务 gives 养老,
老服 and 服务. A word of two or more characters is then found in every document that
contains it, whatever words a segmenter would have cut around it (养老 is found in
养老服务业). Latin letters and digits are indexed as lower-case words.

Everything is compared after folding: each character is put in Unicode compatibility
form (NFKC: full-width ＰＤＦ becomes pdf) and lower-cased, one character at a time, so
that a position in the folded text maps back to a position in the original.

The terms are written in PostgreSQL's own ``tsvector`` text form ('养老':1A '老服':2A …),
so the database stores exactly the terms computed here, with their positions and
weights, whatever its locale or text-search configuration.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.text import strip_controls

# Chinese characters: CJK unified ideographs with extension A, compatibility
# ideographs, and extensions B to F.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
TOKEN = re.compile(rf"(?P<han>[{HAN}]+)|(?P<word>[0-9a-z]+)")
HAN_CHAR = re.compile(rf"[{HAN}]")

# PostgreSQL's limits on a tsvector: positions run to 16383, a lexeme keeps at most 256
# positions and 2,047 bytes, and the whole vector must stay under 1 MB.
MAX_POSITION = 16383
MAX_POSITIONS_PER_TERM = 256
# A run of letters and digits longer than this (a pasted link, a code) is indexed as its
# consecutive pieces of this length, one term each, as a Chinese run is indexed as its
# bigrams: a query cuts its words the same way, so the run is still found by any of its
# beginnings, whatever its length.
MAX_WORD = 100
# The vector's terms, positions and lexemes are kept well within PostgreSQL's 1 MB: past
# this many bytes, a new term of a huge text is no longer added (the text stays in full
# in the entry, and its words are still found by scanning when the index has no term).
MAX_VECTOR_BYTES = 900_000

# A query is cut at whitespace into words; at most this many words and characters.
MAX_QUERY_WORDS = 8
MAX_QUERY_LENGTH = 100
MIN_WORD_LENGTH = 2

# Weights of the parts of a document: the title counts most.
TITLE, KEYWORDS, BODY = "A", "B", "D"


class _Folded(dict):
    """Each character's folded form, worked out once: a text uses a few thousand distinct
    characters, and the index folds millions of them."""

    LIMIT = 200_000  # kept characters, far more than any committee's texts use

    def __missing__(self, char: str) -> str:
        folded = unicodedata.normalize("NFKC", char).lower()
        if len(self) < self.LIMIT:
            self[char] = folded
        return folded


_FOLDED = _Folded()


def fold_char(char: str) -> str:
    return _FOLDED[char]


def fold(text: str) -> str:
    """``text`` as it is compared: NFKC and lower case, character by character."""
    if text.isascii():
        return text.lower()
    return "".join(map(_FOLDED.__getitem__, text))


def folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the original one."""
    parts: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = fold_char(char)
        parts.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(parts), offsets


def tokens(folded: str) -> list[list[str]]:
    """The terms of already folded text, run by run: each run of Chinese characters gives
    its bigrams (none for a lone character), each Latin or digit word itself."""
    runs = []
    for match in TOKEN.finditer(folded):
        han = match.group("han")
        if han is None:
            word = match.group("word")
            runs.append([word[i:i + MAX_WORD] for i in range(0, len(word), MAX_WORD)])
        elif len(han) >= 2:
            runs.append([han[i:i + 2] for i in range(len(han) - 1)])
    return runs


def bigrams(text: str) -> list[str]:
    """Every term of ``text`` in order (the bigrams of its Chinese runs, its Latin words)."""
    return [term for run in tokens(fold(text)) for term in run]


def _quote(term: str) -> str:
    # Terms hold only Chinese characters, a-z and 0-9: nothing to escape.
    return f"'{term}'"


def terms_vector(*parts: tuple[str, str]) -> str:
    """The tsvector text of a document made of ``(weight, text)`` parts, in order.

    Consecutive bigrams of one run take consecutive positions; one position is left
    empty after every run, so that a phrase never reaches across punctuation, a space
    or a change of part.
    """
    positions: dict[str, list[str]] = {}
    position = 1
    size = 0  # what PostgreSQL stores, roughly: each lexeme's bytes and header, 2 bytes a position
    for weight, text in parts:
        for run in tokens(fold(text or "")):
            for term in run:
                found = positions.get(term)
                if found is None and size < MAX_VECTOR_BYTES:
                    found = positions[term] = []
                    size += len(term.encode()) + 8
                if found is not None and len(found) < MAX_POSITIONS_PER_TERM:
                    found.append(f"{min(position, MAX_POSITION)}{weight}")
                    size += 2
                position += 1
            position += 1
    return " ".join(f"{_quote(term)}:{','.join(found)}" for term, found in sorted(positions.items()))


# ---------------------------------------------------------------- queries


class QueryTooShort(ValueError):
    """The query has no word of two characters or more."""


@dataclass
class Query:
    """A parsed search query: its folded words, each to be found as a whole."""

    text: str
    words: list[str] = field(default_factory=list)

    @property
    def groups(self) -> list[list[list[str]]]:
        """For each word, its runs of terms."""
        return [tokens(word) for word in self.words]

    @property
    def indexed(self) -> bool:
        """True when some word has a term the index knows, so the index finds the candidates;
        otherwise (lone characters only) the text is scanned."""
        return any(self.groups)

    def tsquery(self) -> str:
        """The words as a tsquery, every word required (AND): the bigrams of a run of
        Chinese characters must follow one another ('养老' <-> '老服' <-> '服务'); a Latin
        or digit word matches words that start with it ('pdf':*).

        Words without terms (a lone Chinese character) are left to :meth:`text_words`.
        """
        clauses = []
        for runs in self.groups:
            for run in runs:
                quoted = [self._lexeme(term) for term in run]
                clauses.append(quoted[0] if len(quoted) == 1 else "(" + " <-> ".join(quoted) + ")")
        return " & ".join(dict.fromkeys(clauses))

    def text_words(self) -> list[str]:
        """The words the tsquery does not find exactly, to be matched in the folded text:
        all but those made of one run of Chinese characters or one Latin or digit word."""
        return [word for word in self.words if not _one_token(word)]

    def rank_tsquery(self) -> str:
        """Any term of any word (OR), for ranking: more occurrences, in heavier parts, rank higher."""
        terms = dict.fromkeys(
            self._lexeme(term) for runs in self.groups for run in runs for term in run
        )
        return " | ".join(terms)

    @staticmethod
    def _lexeme(term: str) -> str:
        return _quote(term) + ("" if HAN_CHAR.match(term) else ":*")


def _one_token(word: str) -> bool:
    match = TOKEN.fullmatch(word)
    return match is not None and (match.group("word") is not None or len(word) >= 2)


def parse_query(text: str) -> Query:
    """Read what was typed in the search box.

    Raises :class:`QueryTooShort` when no word has two characters or more; an empty
    query gives a query without words.
    """
    text = strip_controls(text or "").strip()[:MAX_QUERY_LENGTH]
    words = []
    for word in fold(text).split():
        if word not in words:
            words.append(word)
    words = words[:MAX_QUERY_WORDS]
    query = Query(text=text, words=words)
    if words and max(len(w) for w in words) < MIN_WORD_LENGTH:
        raise QueryTooShort(text)
    return query


# ---------------------------------------------------------------- highlighting


def _spans(folded: str, words: list[str], start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Every occurrence of every word in ``folded[start:end]``, merged where they overlap."""
    end = len(folded) if end is None else end
    found = []
    for word in words:
        if not word:
            continue
        at = folded.find(word, start, end)
        while at != -1 and at + len(word) <= end:
            found.append((at, at + len(word)))
            at = folded.find(word, at + 1, end)
    merged: list[tuple[int, int]] = []
    for span in sorted(found):
        if merged and span[0] <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span[1]))
        else:
            merged.append(span)
    return merged


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out = []
    at = start
    for span_start, span_end in spans:
        out.append(escape(text[at:span_start]))
        out.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        at = span_end
    out.append(escape(text[at:end]))
    return "".join(out)


def _original_spans(offsets: list[int], spans, length: int) -> list[tuple[int, int]]:
    result = []
    for start, end in spans:
        original = (offsets[start], offsets[end - 1] + 1)
        if result and original[0] < result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], original[1]))
        else:
            result.append(original)
    return [(s, min(e, length)) for s, e in result]


def highlight(text: str, words: list[str]) -> SafeString:
    """All of ``text``, HTML-escaped, with every occurrence of every word in <mark>."""
    text = text or ""
    folded, offsets = folded_with_offsets(text)
    spans = _original_spans(offsets, _spans(folded, words), len(text))
    return mark_safe(_marked(text, spans, 0, len(text)))


def snippet(text: str, words: list[str], *, before: int = 40, length: int = 140) -> SafeString:
    """A passage of ``text`` around the first hit of any word, HTML-escaped, every
    occurrence of every word in it marked. Without a hit, the beginning of the text."""
    text = " ".join((text or "").split())
    folded, offsets = folded_with_offsets(text)
    hits = [i for i in (folded.find(word) for word in words if word) if i != -1]
    first = offsets[min(hits)] if hits else 0
    start = max(0, first - before)
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    spans = [
        (max(s, start), min(e, end))
        for s, e in _original_spans(offsets, _spans(folded, words), len(text))
        if s < end and e > start
    ]
    body = _marked(text, spans, start, end)
    return mark_safe(("…" if start > 0 else "") + body + ("…" if end < len(text) else ""))
