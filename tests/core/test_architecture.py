"""The apps sit in layers (docs/architecture.md): an app imports only the apps below it.

Every import of every module of our apps is read from the source (also imports inside
functions, which hide a dependency as well as any other), so a new cycle fails here, with
the file and line, before it can grow."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
OURS = [
    app for app in settings.INSTALLED_APPS if "." not in app and (ROOT / app / "apps.py").exists()
]


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _violations(root: Path = ROOT) -> list[str]:
    out = []
    for position, app in enumerate(OURS):
        below = set(OURS[:position])
        for path in sorted((root / app).rglob("*.py")):
            for line, module in _imports(path):
                other = module.split(".")[0]
                if other in OURS and other != app and other not in below:
                    out.append(f"{path.relative_to(root)}:{line} {app} imports {module}")
    return out


def test_the_layers_are_the_order_of_installed_apps():
    assert OURS == [
        "core",
        "accounts",
        "regions",
        "quizzes",
        "edu",
        "campaigns",
        "reach",
        "notifications",
    ]


def test_no_app_imports_an_app_above_it():
    assert _violations() == []


def test_the_check_finds_an_import_against_the_layers(tmp_path):
    # Given a module of core that imports an app above it, inside a function
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "probe.py").write_text(
        "from accounts.models import User\n\ndef f():\n    from reach.models import ReachDaily\n"
    )
    (tmp_path / "reach").mkdir()
    (tmp_path / "reach" / "ok.py").write_text("from core.models import AuditLog\n")

    # Then the check names that import, and only that one
    assert _violations(tmp_path) == [
        "core/probe.py:1 core imports accounts.models",
        "core/probe.py:4 core imports reach.models",
    ]


def test_no_module_of_the_apps_passes_500_lines():
    # A module past ~400 lines is a package of use-case modules waiting to happen
    # (docs/architecture.md); migrations are generated and exempt.
    long = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for app in [*OURS, "config"]
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        and (lines := len(path.read_text("utf-8").splitlines())) > 500
    ]
    assert long == []
