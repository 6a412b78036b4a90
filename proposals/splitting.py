"""Proposing a proposal's recommendations (建议) from its full text.

A proposal is usually typed in a word processor and pasted in one piece: some
background, perhaps a list of problems, then the recommendations, numbered
一、二、… or （一）（二）… or 1. 2. … or 1、2、…. :func:`split_recommendations`
finds that numbered list and proposes one recommendation per item: the item's
heading becomes the title (without the leading 关于 and trailing 的建议 the letter
adds back: 一、关于……的建议), the text that follows becomes the body. The user
confirms or corrects the proposal before anything is saved, so the function
guesses sensibly rather than refusing.

The function is pure: text in, proposed rows out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TITLE_MAX = 300  # Recommendation.title's max_length
MAX_ITEMS = 99  # Recommendation.ordinal's maximum

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

_CN = "[一二三四五六七八九十]{1,3}"
_NUM = "[0-9０-９]{1,2}"

# Numbering styles, outermost first as Chinese documents usually nest them.
_STYLES: dict[str, re.Pattern[str]] = {
    "cn": re.compile(rf"^(?P<n>{_CN})\s*[、．.]\s*(?P<rest>.*)$"),
    "cn_paren": re.compile(rf"^[（(]\s*(?P<n>{_CN})\s*[）)]\s*[、．.]?\s*(?P<rest>.*)$"),
    "num_dot": re.compile(rf"^(?P<n>{_NUM})\s*[.．](?![0-9０-９])\s*(?P<rest>.*)$"),
    "num_comma": re.compile(rf"^(?P<n>{_NUM})\s*、\s*(?P<rest>.*)$"),
    "num_paren": re.compile(rf"^[（(]\s*(?P<n>{_NUM})\s*[）)]\s*[、．.]?\s*(?P<rest>.*)$"),
    "circled": re.compile(rf"^(?P<n>[{_CIRCLED}])\s*[、．.]?\s*(?P<rest>.*)$"),
}

# A line announcing the recommendations: 为此，建议： / 对策建议 / 几点建议 / 建议如下：
_MARKER_WORDS = r"(建议|对策|措施|意见)"
_NUMBERED_MARKER = re.compile(
    rf"^(几点|主要|具体|相关|有关|工作|对策|措施|意见|意见和|意见及|对策和|对策及|对策与)?{_MARKER_WORDS}(如下)?$"
)
_LOOSE_MARKER = re.compile(rf"{_MARKER_WORDS}(如下)?$")

_SENTENCE_END = "。！？；!?;"
_TRAILING_PUNCTUATION = "。！？；：，、!?;:,. "
# A line ending with one of these closes its paragraph; a long line without one was
# probably cut by a page or line break when the text was copied from a PDF.
_PARAGRAPH_END = "。！？；：!?;:”’」』）)》"
_CUT_LINE_MIN = 20
_COLON_TITLE_MAX = 40


@dataclass(frozen=True)
class ProposedRecommendation:
    """One recommendation as found in the text: title and body, for the user to confirm."""

    title: str
    body: str


def split_recommendations(text: str) -> list[ProposedRecommendation]:
    """Propose the recommendations of a proposal from its full text, in order.

    Returns an empty list when the text has no numbered list.
    """
    lines = [_clean_line(line) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return []
    region = _recommendation_region(lines)
    items = _numbered_items(region) if region is not None else []
    if not items:
        items = _numbered_items(lines)
    return [_propose(heading, body) for heading, body in items[:MAX_ITEMS]]


# ---------------------------------------------------------------- lines and numbering


def _clean_line(line: str) -> str:
    return line.replace("\u3000", " ").replace("\xa0", " ").strip()


def _number_value(style: str, raw: str) -> int:
    if style in ("cn", "cn_paren"):
        return _chinese_number(raw)
    if style == "circled":
        return _CIRCLED.index(raw) + 1
    return int(raw.translate(_FULLWIDTH_DIGITS))


def _chinese_number(raw: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 二十三 → 23; 0 when malformed."""
    if "十" not in raw:
        return _CN_DIGITS.get(raw, 0) if len(raw) == 1 else 0
    tens, _sep, ones = raw.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return 0
    if (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
        return 0
    return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)


def _numbering(line: str) -> tuple[str, int, str] | None:
    """(style, number, rest of the line) if the line starts with a number, else None."""
    for style, pattern in _STYLES.items():
        match = pattern.match(line)
        if match:
            number = _number_value(style, match["n"])
            if number:
                return style, number, match["rest"].strip()
    return None


# ---------------------------------------------------------------- where the recommendations are


def _is_marker(line: str, numbered: bool) -> bool:
    content = line.strip().rstrip("：:。. ")
    if not content or len(content) > 30:
        return False
    if content.startswith("关于") or content.endswith("的建议"):
        return False
    if numbered:
        # 三、对策建议 — but not 一、加强监管措施, which is a recommendation itself.
        return bool(_NUMBERED_MARKER.match(content))
    if _NUMBERED_MARKER.match(content):
        return True
    # 为此，建议： / 为此，特提出如下建议：
    return line.rstrip().endswith(("：", ":")) and bool(_LOOSE_MARKER.search(content))


def _recommendation_region(lines: list[str]) -> list[str] | None:
    """The lines after the first line announcing the recommendations, if there is one.

    When that line is itself numbered (三、对策建议), the region ends at the next heading
    of the same level (四、……).
    """
    for index, line in enumerate(lines):
        numbering = _numbering(line)
        if numbering is not None:
            style, number, rest = numbering
            if not _is_marker(rest, numbered=True):
                continue
            region = []
            for following in lines[index + 1:]:
                after = _numbering(following)
                if after is not None and after[0] == style and after[1] == number + 1:
                    break
                region.append(following)
            return region
        if _is_marker(line, numbered=False) and not _continues_list(lines[:index], lines[index + 1:]):
            return lines[index + 1:]
    return None


def _continues_list(before: list[str], after: list[str]) -> bool:
    """True when a list begun before a marker goes on after it: the marker (具体措施：)
    is then inside one of that list's items, not the start of the recommendations."""
    style, expected = None, 1
    for line in before:
        numbering = _numbering(line)
        if numbering is None:
            continue
        if style is None and numbering[1] == 1:
            style = numbering[0]
        if numbering[0] == style and numbering[1] == expected:
            expected += 1
    if style is None:
        return False
    for numbering in map(_numbering, after):
        if numbering is not None and numbering[0] == style:
            if numbering[1] == 1:
                return False  # a new list begins after the marker
            if numbering[1] == expected:
                return True
    return False


def _numbered_items(lines: list[str]) -> list[tuple[str, list[str]]]:
    """The items of the first list numbered from one: (heading, lines after it).

    Lines numbered in another style, or out of sequence, belong to the current item's body.
    """
    items: list[tuple[str, list[str]]] = []
    style = None
    expected = 1
    for line in lines:
        numbering = _numbering(line)
        if numbering is not None:
            line_style, number, rest = numbering
            if style is None and number == 1:
                style = line_style
            if line_style == style and number == expected:
                items.append((rest, []))
                expected += 1
                continue
        if items:
            items[-1][1].append(line)
    return items


# ---------------------------------------------------------------- one recommendation


def _propose(heading: str, following: list[str]) -> ProposedRecommendation:
    following = list(following)
    if not heading and following:
        heading = following.pop(0)
    heading, following = _join_cut_heading(heading, following)
    title, remainder = _split_heading(heading)
    paragraphs = _paragraphs(([remainder] if remainder else []) + following)
    cleaned = clean_title(title)
    if not cleaned:
        cleaned = clean_title(heading) or heading
    if len(cleaned) > TITLE_MAX:
        cut = cleaned.rfind("，", 0, TITLE_MAX)
        cleaned = cleaned[: cut if cut > 0 else TITLE_MAX]
        paragraphs = _paragraphs([heading, *following])
    return ProposedRecommendation(title=cleaned, body="\n".join(paragraphs))


def _join_cut_heading(heading: str, following: list[str]) -> tuple[str, list[str]]:
    """Join a heading 关于……的建议 that a page break cut over several lines."""
    if not heading.startswith("关于") or "的建议" in heading:
        return heading, following
    if any(mark in heading for mark in _SENTENCE_END):
        return heading, following
    joined = heading
    for taken, line in enumerate(following[:3], start=1):
        if _numbering(line) is not None:
            break
        joined += line
        if "的建议" in line:
            return joined, following[taken:]
    return heading, following


def _split_heading(heading: str) -> tuple[str, str]:
    """The heading's first sentence is the title; what follows on the line is body text.

    A heading of the form 关于……的建议 is a title to its end, whatever its punctuation.
    """
    end = heading.find("的建议")
    if heading.startswith("关于") and end != -1:
        end += len("的建议")
        return heading[:end], heading[end:].lstrip("。；;：: ")
    positions = [heading.find(mark) for mark in _SENTENCE_END if mark in heading]
    cut = min(positions) if positions else len(heading)
    # 加强统筹协调：建立…… — a short lead-in before a colon is the title.
    colon = min((heading.find(mark) for mark in "：:" if mark in heading), default=-1)
    if 0 < colon < cut and colon <= _COLON_TITLE_MAX:
        cut = colon
    return heading[:cut], heading[cut + 1:].strip()


def clean_title(title: str) -> str:
    """A recommendation's title as the letter wants it: 关于{title}的建议 reads right.

    Drops a leading 关于 or 建议 and a trailing 的建议, and the punctuation at the end.
    """
    title = title.strip().rstrip(_TRAILING_PUNCTUATION)
    if title.startswith("关于") and len(title) > 2:
        title = title[2:]
    if title.endswith("的建议") and len(title) > 3:
        title = title[:-3]
    if title.startswith("建议") and len(title) > 2:
        title = title[2:].lstrip("：:，, ")
    return title.strip().rstrip(_TRAILING_PUNCTUATION)


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines as paragraphs, joining lines that a line or page break cut mid-sentence."""
    paragraphs: list[str] = []
    for line in lines:
        previous = paragraphs[-1] if paragraphs else ""
        if (
            previous
            and len(previous) >= _CUT_LINE_MIN
            and not previous.endswith(tuple(_PARAGRAPH_END))
            and _numbering(previous) is None
            and _numbering(line) is None
        ):
            paragraphs[-1] = previous + line
        else:
            paragraphs.append(line)
    return paragraphs
