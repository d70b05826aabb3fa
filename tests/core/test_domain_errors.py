"""Services raise domain errors; core/problems.py alone turns them into problem types for
the API and messages for pages (docs/architecture.md, "Errors")."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import path
from rest_framework import exceptions
from rest_framework.views import APIView

from core.exceptions import DomainError
from core.problems import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
OURS = [
    app for app in settings.INSTALLED_APPS if "." not in app and (ROOT / app / "apps.py").exists()
]


def _import_all_of_our_apps() -> None:
    for app in OURS:
        package = importlib.import_module(app)
        for found in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in found.name:
                importlib.import_module(found.name)


def _all_subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_all_subclasses(sub)]
    return out


def test_every_domain_error_of_our_apps_has_a_registered_problem_type():
    # Given every module of our apps imported, so every DomainError subclass exists
    _import_all_of_our_apps()
    errors = [c for c in _all_subclasses(DomainError) if c.__module__.split(".")[0] in OURS]

    # Then there are some, and each one's code names a problem type
    assert {c.__name__ for c in errors} >= {"NotInCampaign", "IdempotencyMismatch"}
    unmapped = {
        f"{c.__module__}.{c.__qualname__}": getattr(c, "code", None)
        for c in errors
        if getattr(c, "code", None) not in REGISTRY
    }
    assert unmapped == {}


def _modules_of(app: str, *layers: str) -> list[Path]:
    found = []
    for layer in layers:
        found += [p for p in [ROOT / app / f"{layer}.py"] if p.exists()]
        found += sorted((ROOT / app / layer).rglob("*.py"))
    return found


def _imported_modules(file: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(file.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
    return out


def test_services_and_selectors_import_neither_drf_nor_http_problems():
    offending = [
        f"{file.relative_to(ROOT)}:{line} imports {module}"
        for app in OURS
        for file in _modules_of(app, "services", "selectors")
        for line, module in _imported_modules(file)
        if module.split(".")[0] == "rest_framework" or module == "core.problems"
    ]
    assert offending == []


def test_problem_types_are_declared_in_core_problems_only():
    declared_elsewhere = [
        f"{file.relative_to(ROOT)}:{node.lineno}"
        for app in OURS
        for file in sorted((ROOT / app).rglob("*.py"))
        if file != ROOT / "core" / "problems.py"
        for node in ast.walk(ast.parse(file.read_text("utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "problem_type"
    ]
    assert declared_elsewhere == []


# --- Errors nothing names get a type by their status alone --------------------------------


def _raising(status: int) -> type[APIView]:
    refusal = type(f"Refusal{status}", (exceptions.APIException,), {"status_code": status})

    class RaisingApi(APIView):
        permission_classes = []

        def get(self, request):
            raise refusal("refused")

    return RaisingApi


urlpatterns = [
    path(f"api/v1/test/status-{status}", _raising(status).as_view())
    for status in (400, 403, 409, 422, 503)
]


@pytest.mark.urls("tests.core.test_domain_errors")
@pytest.mark.parametrize(
    ("status", "slug"),
    [
        (400, "request-refused"),
        (403, "permission-denied"),
        (409, "request-refused"),
        (422, "request-refused"),
        (503, "server-error"),
    ],
)
def test_an_error_without_a_type_of_its_own_gets_the_generic_type_of_its_status(status, slug):
    # When a view raises a DRF exception that no problem type names (another app's 400s,
    # 409s and 422s must not lend it theirs, whichever was declared first)
    response = Client().get(f"/api/v1/test/status-{status}")

    # Then its type is the generic one of its status, and the status is its own
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == f"/problems/{slug}"
    assert response.json()["status"] == status
    assert response.json()["detail"] == "refused"
