"""The Python-written <select> gives the markup Django's own templates give."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from core.forms_renderer import FormRenderer
from proposals.filters import ProposalFilter
from tests.factories import AgencyFactory


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "全部"), ("a", "甲 & <乙>"), ("b", '"引号"')])
    grouped = forms.ChoiceField(choices=[
        ("一组", [("1", "一"), ("2", "二")]), ("3", "三"), ("<组>", [("4", "四")]),
    ])
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "Z")])
    flagged = forms.ChoiceField(
        choices=[("1", "是"), ("0", "否")],
        widget=forms.Select(attrs={"class": "narrow", "disabled": True, "data-x": False, "title": "a\"b"}),
    )
    maybe = forms.NullBooleanField()


@pytest.mark.parametrize("data", [
    None,
    {"plain": "a", "grouped": "4", "several": ["x", "z"], "flagged": "0", "maybe": "true"},
    {"plain": "<script>", "grouped": "", "several": ["q"], "maybe": "unknown"},
])
def test_selects_are_written_as_the_templates_write_them(data):
    ours, django = Sample(data, renderer=FormRenderer()), Sample(data, renderer=DjangoTemplates())
    for name in Sample.base_fields:
        assert str(ours[name]) == str(django[name]), name


@pytest.mark.django_db
def test_the_list_filter_renders_the_same_through_either_renderer(world):
    AgencyFactory(code="amp", name="A & B <局>", short_name="A & B <局>")
    data = {"state": "assigned", "agency": str(world.lead.pk), "sort": "-due"}
    ours, django = ProposalFilter(data).form, ProposalFilter(data).form
    ours.renderer, django.renderer = FormRenderer(), DjangoTemplates()
    for name in ours.fields:
        assert str(ours[name]) == str(django[name]), name
    assert "A &amp; B &lt;局&gt;" in str(ours["agency"])


def test_a_select_with_its_own_option_template_still_uses_the_templates():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    rendered = Custom(choices=[("1", "一")]).render("x", "1", renderer=FormRenderer())
    assert rendered == Custom(choices=[("1", "一")]).render("x", "1", renderer=DjangoTemplates())
