"""Groups and permissions as the admin shows them, in the reader's language.

Django stores a group's name and a permission's name as text in the database: our roles are
groups named by their codes (``learner``, ``staff``; ``roles_sync`` finds them by name), and
Django writes the names of its default permissions in English ("Can add course"). Both are
shown translated here instead: a role group by its role's label, a default permission from
its action and its model's verbose name, any other permission through the catalogue (our
apps declare theirs with gettext_lazy)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import ManyToManyField
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .roles import Role

DEFAULT_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def group_label(name: str) -> str:
    """A group's name as people read it: a role's label for a role group."""
    return str(Role(name).label) if name in Role.values else name


def permission_label(permission: Permission) -> str:
    """``app | model | what it allows``, translated."""
    model = permission.content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is not None and action in DEFAULT_ACTIONS and model_name == model._meta.model_name:
        what = DEFAULT_ACTIONS[action] % {"model": model._meta.verbose_name}
    else:
        what = gettext(permission.name)
    return f"{permission.content_type} | {what}"


class PermissionChoiceField(forms.ModelMultipleChoiceField[Permission]):
    def label_from_instance(self, obj: Any) -> str:
        return permission_label(obj)


class GroupChoiceField(forms.ModelMultipleChoiceField[Group]):
    def label_from_instance(self, obj: Any) -> str:
        return group_label(obj.name)


def translated_choice_field(
    db_field: ManyToManyField[Any, Any], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The form-field arguments that label permissions and groups as ``permission_label``
    and ``group_label`` do (for ``formfield_for_manytomany``)."""
    if db_field.related_model is Permission:
        kwargs.setdefault("form_class", PermissionChoiceField)
        queryset = kwargs.get("queryset", Permission.objects.all())
        kwargs["queryset"] = queryset.select_related("content_type")
    elif db_field.related_model is Group:
        kwargs.setdefault("form_class", GroupChoiceField)
    return kwargs


def group_str(group: Group) -> str:
    return group_label(group.name)


# A group reads as its role's label wherever it is shown (titles, breadcrumbs, widgets,
# the admin's row checkboxes); its name stays the code that roles_sync finds it by.
Group.__str__ = group_str  # type: ignore[method-assign,assignment]

if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Role groups keep their names: ``roles_sync`` finds them by name after each migrate."""

    list_display = ["shown_name"]

    @admin.display(description=_("name"), ordering="name")
    def shown_name(self, group: Group) -> str:
        return group_label(group.name)

    def get_fields(self, request: HttpRequest, obj: Group | None = None) -> Any:
        if obj is not None and obj.name in Role.values:
            return ["shown_name", "permissions"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Group | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.name in Role.values:
            fields.append("shown_name")
        return fields

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        return super().formfield_for_manytomany(
            db_field, request, **translated_choice_field(db_field, kwargs)
        )
