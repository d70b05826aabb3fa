"""Demo content for trying the product: ``manage.py seed_demo``. Idempotent.

Every app that has demo content has a ``demo`` module with a ``demo_seed() -> list[str]``
that adds its part by calling its own services (so demo data obeys the same rules as real
data) and returns lines for a person to read. They run in the order of INSTALLED_APPS, which
is the order of the layers (docs/architecture.md): an app's demo can rely on the demo of
every app below it, and reach, near the top, counts what the others seeded. Core finds the
modules by name, as the admin finds ``admin`` modules, so it imports no app above it.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps


def demo_seed() -> dict[str, list[str]]:
    """Run every app's demo seed, lowest layer first; the lines each printed, by app label.
    Safe to run any number of times."""
    out: dict[str, list[str]] = {}
    for app in apps.get_app_configs():
        name = f"{app.name}.demo"
        if app.name != __package__ and find_spec(name) is not None:
            module = import_module(name)
            if hasattr(module, "demo_seed"):
                out[app.label] = list(module.demo_seed())
    return out
