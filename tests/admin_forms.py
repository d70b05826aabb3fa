"""Post an admin change form as a browser would: the values it shows, with some changed."""

from __future__ import annotations

from typing import Any

from django.forms import BaseForm, CheckboxInput, SplitDateTimeWidget


def _form_fields(form: BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        bound = form[name]
        value = bound.value()
        widget = field.widget
        widget = getattr(widget, "widget", widget)  # the admin wraps related-field widgets
        if isinstance(widget, SplitDateTimeWidget):
            day, time = widget.decompress(value)
            data[f"{bound.html_name}_0"] = day.isoformat() if day else ""
            data[f"{bound.html_name}_1"] = time.isoformat() if time else ""
        elif isinstance(widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        else:
            shown = widget.format_value(value)
            if isinstance(shown, list):  # select widgets: a list of the chosen values
                multiple = getattr(widget, "allow_multiple_selected", False)
                data[bound.html_name] = shown if multiple else (shown[0] if shown else "")
            else:
                data[bound.html_name] = "" if shown is None else str(shown)
    return data


def change_form_data(page: Any, **changes: Any) -> dict[str, Any]:
    """The POST body of the admin change form in ``page`` (a test client response), with
    ``changes`` applied (field name to the value as posted)."""
    data = _form_fields(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_fields(formset.management_form))
        for form in formset.forms:
            data.update(_form_fields(form))
    data.update(changes)
    return data
