from django import forms


class MergeForm(forms.Form):
    """并案 (the form on the similar proposals' panel): the proposal to merge into, and why."""

    into = forms.IntegerField(min_value=1)
    reason = forms.CharField(required=False, max_length=500)
