"""The proposal list: its scoped queryset, its filters, search and sorting.

An assignment is *overdue* (逾期) when its due date has passed while the proposal is
being handled (已交办 or 重新办理) and its agency has not answered in the current round
(see ``proposals.answers``).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db import connection
from django.db.models import (
    Exists,
    Expression,
    F,
    OuterRef,
    Q,
    TextField,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from replies.models import ReplyLetter, letter_class_choices
from search.selectors import TermsMatch

from .models import (
    DUE_LATEST_FIRST,
    STATE_ORDER,
    Assignment,
    Category,
    Proposal,
    Session,
    Signature,
    proposal_overdue,
)

SEARCH_MAX = 100
SEARCH_TERMS_MAX = 10

class SearchPairs(Expression):
    """The pairs of characters of a proposal's number and title, kept by PostgreSQL in the
    indexed column ``search_pairs`` (migration 0012; not a model field, since only
    PostgreSQL has it)."""

    output_field = TextField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.search_pairs", []


def bigram_query(term: str) -> str | None:
    """A tsquery requiring every pair of characters of ``term``, lower-cased as the index
    is (ASCII letters only, whatever the database's locale); None when the index cannot
    narrow the search: fewer than two characters, or a letter with cases outside ASCII."""
    if len(term) < 2 or any(not c.isascii() and c.lower() + c.upper() != c + c for c in term):
        return None
    pairs = dict.fromkeys(term[i:i + 2].lower() for i in range(len(term) - 1))
    return " & ".join("'" + pair.replace("\\", "\\\\").replace("'", "''") + "'" for pair in pairs)


# ---------------------------------------------------------------- the filters

SORTS = {
    "number": ("session_year", "number"),
    "-number": ("-session_year", "-number"),
    "submitted": ("submitted_on", "number"),
    "-submitted": ("-submitted_on", "-number"),
    "state": (STATE_ORDER, "number"),
    "-state": (STATE_ORDER.desc(), "number"),
    "due": (F("earliest_due_on").asc(nulls_last=True), "number"),
    "-due": (DUE_LATEST_FIRST, "number"),
}
SORT_CHOICES = [
    ("number", _("提案号")),
    ("-number", _("提案号（倒序）")),
    ("submitted", _("提交日期")),
    ("-submitted", _("提交日期（最近在前）")),
    ("state", _("状态")),
    ("-state", _("状态（倒序）")),
    ("due", _("办理期限（最早在前）")),
    ("-due", _("办理期限（最晚在前）")),
]
DEFAULT_SORT = "number"

YES_NO = [("1", _("是")), ("0", _("否"))]


class ProposalFilter(django_filters.FilterSet):
    """提案列表: filters, a search box by number or words of the title, and sorting."""

    q = django_filters.CharFilter(
        method="filter_search", label=_("搜索"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("提案号或案由中的词语")}),
        max_length=SEARCH_MAX,
    )
    session = django_filters.ModelChoiceFilter(
        queryset=Session.objects.all(), label=_("届次会议"), empty_label=_("全部届次"),
    )
    state = django_filters.ChoiceFilter(
        choices=Proposal.State.choices, label=_("状态"), empty_label=_("全部状态"),
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), label=_("类别"), empty_label=_("全部类别"),
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.only("name"), method="filter_agency", label=_("承办单位"),
        empty_label=_("全部单位"),
    )
    proposer = django_filters.CharFilter(
        method="filter_proposer", label=_("提案者"), max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("姓名或名称中的字")}),
    )
    letter_class = django_filters.ChoiceFilter(
        choices=letter_class_choices, method="filter_letter_class", label=_("答复函分类"),
        empty_label=_("全部分类"),
    )
    is_key = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_is_key", label=_("重点提案"), empty_label=_("全部"),
    )
    overdue = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_overdue", label=_("逾期"), empty_label=_("全部"),
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", label=_("排序"), empty_label=None,
    )

    class Meta:
        model = Proposal
        fields = ["q", "session", "state", "category", "agency", "proposer", "letter_class",
                  "is_key", "overdue", "sort"]

    def filter_search(self, queryset, name, value):
        terms = value.split()[:SEARCH_TERMS_MAX]
        for term in terms:
            pairs = bigram_query(term) if connection.vendor == "postgresql" else None
            if pairs:  # the index of character pairs finds the candidates; the LIKE is exact
                queryset = queryset.filter(TermsMatch(SearchPairs(), Value(pairs)))
            queryset = queryset.filter(Q(number__icontains=term) | Q(title__icontains=term))
        return queryset

    def filter_agency(self, queryset, name, value):
        return queryset.filter(Exists(Assignment.objects.filter(proposal=OuterRef("pk"), agency=value)))

    def filter_proposer(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Exists(Signature.objects.filter(
            proposal=OuterRef("pk"), proposer__name__icontains=value
        )))

    def filter_letter_class(self, queryset, name, value):
        return queryset.filter(Exists(ReplyLetter.objects.current().filter(
            proposal=OuterRef("pk"), round=OuterRef("round"), klass=value
        )))

    def filter_is_key(self, queryset, name, value):
        return queryset.filter(is_key=value == "1")

    def filter_overdue(self, queryset, name, value):
        late = proposal_overdue(timezone.localdate())
        return queryset.filter(late if value == "1" else ~late)

    def filter_sort(self, queryset, name, value):
        # Applied in ``qs`` so that the order holds without the field, too.
        return queryset

    @property
    def sort_key(self) -> str:
        if self.is_bound and self.form.is_valid():
            return self.form.cleaned_data.get("sort") or DEFAULT_SORT
        return DEFAULT_SORT

    @property
    def qs(self):
        if not hasattr(self, "_sorted_qs"):
            order = SORTS[self.sort_key]
            if self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("session"):
                # One session has one year: sorting by the number alone gives the same order
                # and lets PostgreSQL read it from an index on (session, …, number).
                order = [key for key in order if key not in ("session_year", "-session_year")]
            self._sorted_qs = super().qs.order_by(*order)
        return self._sorted_qs
