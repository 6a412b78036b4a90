"""What a browser would send back for a form on a page: its fields as rendered.

Used by tests that load a page once and send its form (several times, as two people who
loaded it at the same moment would), so that hidden fields — the version a page was loaded
at, a form's one-time key — travel exactly as they do in a browser.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, str, dict[str, list[str]]]] = []
        self._fields: dict[str, list[str]] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._options: list[tuple[str | None, bool]] = []
        self._option: tuple[str | None, bool] | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        if self._fields is not None and name:
            self._fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = {}
            self.forms.append(((attrs.get("method") or "get").lower(), attrs.get("action") or "",
                               self._fields))
        elif self._fields is None:
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file") or "disabled" in attrs:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(attrs.get("name", ""), attrs.get("value", "on"))
                return
            self._add(attrs.get("name", ""), attrs.get("value", ""))
        elif tag == "textarea" and "disabled" not in attrs:
            self._textarea, self._text = attrs.get("name", ""), []
        elif tag == "select" and "disabled" not in attrs:
            self._select, self._options = attrs.get("name", ""), []
        elif tag == "option" and self._select is not None:
            self._option, self._text = (attrs.get("value"), "selected" in attrs), []

    def handle_data(self, data):
        self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # The HTML parser keeps the newline a browser drops after <textarea>.
            self._add(self._textarea, text[1:] if text.startswith("\n") else text)
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, selected = self._option
            self._options.append((value if value is not None else "".join(self._text).strip(), selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if chosen or self._options:  # with none selected, a browser sends the first
                self._add(self._select, (chosen or [self._options[0][0]])[0])
            self._select = None
        elif tag == "form":
            self._fields = None


def form_fields(html: str, action: str | None = None) -> dict[str, list[str] | str]:
    """The fields of the page's form posting to ``action`` (without it, the first form with a
    CSRF token), as the test client takes them."""
    for _method, form_action, fields in all_forms(html):
        if (form_action == action) if action is not None else "csrfmiddlewaretoken" in fields:
            return {name: values[0] if len(values) == 1 else values for name, values in fields.items()}
    raise AssertionError(f"no form posting to {action!r} on the page")


def all_forms(html: str) -> list[tuple[str, str, dict[str, list[str]]]]:
    """Every form of the page: (method, action, its fields with all their values)."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms
