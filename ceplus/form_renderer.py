"""Django's form renderer, with plain ``<input>`` widgets written in Python.

Django draws each input through three nested templates (``text.html`` includes ``input.html``,
which includes ``attrs.html``): on a form of seven fields that is most of the page's rendering
time, and the admin's queue draws one checkbox per row. The HTML of those widgets is simple
enough to write directly; ``ceplus/tests/test_form_renderer.py`` proves it byte for byte against
Django's own templates for every widget and attribute the project uses, so the change shows only
in time. Any other template (selects, radios, textareas, crispy's) goes through Django's.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe

# The widget templates that are Django's input.html and nothing else.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "email", "password", "hidden", "checkbox", "number", "url", "search", "tel")
)


def _text(value) -> str:
    """``{{ value|stringformat:'s' }}`` under autoescaping: text escaped, safe text as it is."""
    text = str(value)
    return text if isinstance(value, SafeData) else str(escape(text))


def render_input(widget: dict) -> str:
    """``django/forms/widgets/input.html`` and its ``attrs.html``, as Python."""
    parts = [f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{_text(widget["value"])}"')
    for name, value in widget["attrs"].items():
        if value is False:
            continue
        parts.append(
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{_text(value)}"'
        )
    parts.append(">")
    return "".join(parts)


class FastInputRenderer(DjangoTemplates):
    """``FORM_RENDERER``: Django's templates, but for the plain inputs."""

    def __init__(self):
        super().__init__()
        # What each template adds after the tag (the templates' final newlines), read once from
        # Django's own rendering so that the output stays identical.
        self._suffix: dict[str, str] = {}

    def render(self, template_name, context, request=None):
        if template_name not in INPUT_TEMPLATES or "widget" not in context:
            return super().render(template_name, context, request=request)
        suffix = self._suffix.get(template_name)
        if suffix is None:
            rendered = super().render(template_name, context, request=request)
            suffix = self._suffix[template_name] = rendered[rendered.rindex(">") + 1 :]
        # Every piece of the tag was escaped by render_input, as the template would.
        return mark_safe(render_input(context["widget"]) + suffix)  # noqa: S308
