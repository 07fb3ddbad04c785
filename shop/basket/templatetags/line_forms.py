"""`{% plain_input form.quantity %}` and `{% plain_inputs formset.management_form %}`: a form's
<input> written out directly, the markup Django's widget templates make (`input.html` with its
`attrs.html`), without rendering two templates per input. The basket draws a few inputs per line on
every view of it; the formset behind them, its data and its POST are still Oscar's."""

import html

from django import forms, template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def plain_input(field: forms.BoundField) -> str:
    """The field's <input>, as `{{ field }}` renders it for a text, number or hidden input."""
    widget = field.field.widget
    if not isinstance(widget, forms.widgets.Input) or widget.template_name not in INPUTS:
        return field.as_widget()  # anything richer keeps its own template
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    value = widget.format_value(field.value())
    shown = "" if value is None else f' value="{escaped(value)}"'
    attributes = _attributes(widget.build_attrs(widget.attrs, attrs))
    return mark_safe(  # every part escaped above
        f'<input type="{escaped(widget.input_type)}" name="{escaped(field.html_name)}"{shown}{attributes}>'
    )


@register.simple_tag
def plain_inputs(form: forms.Form) -> str:
    """Every field of a form of hidden inputs (a formset's management form), one after another."""
    return mark_safe("".join(plain_input(field) for field in form))  # each one escaped


def escaped(value) -> str:
    """What the template engine writes for `{{ value }}` (`conditional_escape`), without Django's
    lazy-string wrapper around `escape`: about ten inputs and fifty values a basket view."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attributes(attrs: dict) -> str:
    # As attrs.html: in their order (flatatt sorts them), True bare, False left out.
    return "".join(
        f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


INPUTS = {
    "django/forms/widgets/" + name + ".html" for name in ("text", "number", "hidden", "email")
}
