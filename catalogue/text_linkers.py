"""A hook for other apps to rewrite the catalogue's staff HTML as it is saved (the blog links
glossary terms in product and franchise descriptions), without the catalogue importing them.

`register(linker)` adds a function `linker(html, *, owner) -> html` (owner: the product or
franchise whose field it is); before every save of a field in `LINKED_FIELDS`, after the
sanitising policy has cleaned it (catalogue.staff_html), each linker runs on it in turn. A row
being created has no pk yet, and what a linker writes may name its owner (the glossary's tooltip
ids do): its fields are linked just after the insert instead, and written with an UPDATE. A
linker must give clean HTML back (the policy allows what it writes) and change nothing when run
twice.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.db.models.signals import post_save, pre_save

from .term_markup import unlinked

LINKED_FIELDS = {
    "catalogue.Product": ("description",),
    "catalogue.Franchise": ("description",),
}

_linkers: list[Callable[..., str]] = []


def register(linker: Callable[..., str]) -> None:
    if linker not in _linkers:
        _linkers.append(linker)


def linked(html: str, *, owner) -> str:
    """`owner`'s HTML as every registered linker leaves it."""
    for linker in _linkers:
        html = linker(html, owner=owner)
    return html


def connect() -> None:
    """Called after catalogue.staff_html.connect(): its receivers clean the fields first."""
    for label, fields in LINKED_FIELDS.items():
        model = apps.get_model(label)
        pre_save.connect(
            _link_before_save(fields),
            sender=model,
            dispatch_uid=f"text-linkers-{label}",
            weak=False,
        )
        post_save.connect(
            _link_after_insert(fields),
            sender=model,
            dispatch_uid=f"text-linkers-created-{label}",
            weak=False,
        )


def _link_before_save(fields):
    def receiver(instance, raw=False, **kwargs):
        if raw or not _linkers or instance.pk is None:
            return
        for name in fields:
            value = getattr(instance, name)
            if value:
                setattr(instance, name, linked(value, owner=instance))

    return receiver


def _link_after_insert(fields):
    def receiver(instance, created, raw=False, **kwargs):
        if raw or not created or not _linkers:
            return
        changed = {}
        for name in fields:
            value = getattr(instance, name)
            if value and (new := linked(value, owner=instance)) != value:
                changed[name] = new
                setattr(instance, name, new)
        if changed:
            type(instance)._default_manager.filter(pk=instance.pk).update(**changed)

    return receiver


class EditsTextUnlinked:
    """A model form mixin: staff edit a linked field as it was written, the links left out (they
    are made again on save), so an editor never holds a tooltip that typing could land in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        for name in LINKED_FIELDS.get(self._meta.model._meta.label, ()):
            if name in self.fields:
                self.initial[name] = unlinked(getattr(self.instance, name) or "")
