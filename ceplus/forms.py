"""What every form of the product shares: GOV.UK question-page fields (label, hint, error,
input) and text cleaned as a person meant it."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms

from ceplus.text import clean_line


def question_helper() -> FormHelper:
    """Fields in the GOV.UK order (label, hint, error, input), inside the page's own <form>."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.field_template = "includes/field.html"
    return helper


class LineField(forms.CharField):
    """One line of text as a person meant it: no control characters, single spaces."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_line(value) if value else value
