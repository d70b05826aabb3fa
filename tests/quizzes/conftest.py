import json
from pathlib import Path

import pytest
from django.core.cache import cache

from quizzes.codes import codes_seed
from quizzes.demo import questions_load
from quizzes.models import Audience, ScamType

from .factories import api_client, contract_regions

FIXTURE = Path(__file__).with_name("questions_fixture.json")


def contract_codes():
    # A transactional test's flush empties the tables the data migration seeded.
    codes_seed(ScamType, Audience)
    contract_regions()


@pytest.fixture
def question_bank(db):
    """The small fixture bank (same format as the real demo file), loaded and published."""
    contract_codes()
    questions_load(entries=json.loads(FIXTURE.read_text("utf-8")))


@pytest.fixture
def client_key(db):
    contract_codes()
    cache.clear()
    return api_client()


@pytest.fixture
def api(client_key):
    from rest_framework.test import APIClient

    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {client_key.api_key}")
    return http


def check_body(**changes):
    body = {
        "subject": {
            "ref": "u-8f3a21",
            "age_band": "60_plus",
            "locale": "zh-hans",
            "region_code": "330106",
        },
        "transfer": {
            "amount": "5000.00",
            "currency": "CNY",
            "channel": "app",
            "payee_type": "personal",
        },
        "risk": {"score": 0.92, "scam_types": ["impersonating_police"], "reasons": ["new_payee"]},
    }
    body.update(changes)
    return body


def new_check(api, **changes):
    """A check created through the API as a risk system would; and its quiz link's path."""
    import uuid
    from urllib.parse import urlsplit

    from quizzes.models import TransferCheck

    response = api.post(
        "/api/v1/transfer-checks",
        data=json.dumps(check_body(**changes)),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    return TransferCheck.objects.get(pk=body["id"]), urlsplit(body["quiz_url"]).path


class Receiver:
    """A real HTTP server on 127.0.0.1 standing in for a risk system's webhook endpoint."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        self.on_post: object = None  # a callable run while a POST is being answered
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append(
                        ({k.lower(): v for k, v in self.headers.items()}, body)
                    )
                if callable(receiver.on_post):
                    receiver.on_post()
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/anquan"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 60) -> list[tuple[dict[str, str], bytes]]:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.1)
        raise AssertionError(f"{len(self.received)} of {count} webhooks received in {timeout}s")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def finish_check(check_id, *, stop=True):
    """Answer every question rightly and choose, as the user would on the hosted quiz."""
    from quizzes.models import Question, TransferCheck
    from quizzes.services import transfer_check_answer, transfer_check_decide, transfer_check_open

    check = transfer_check_open(check_id=check_id)
    for item in check.items:
        question = Question.objects.get(pk=item["q"])
        transfer_check_answer(
            check_id=check_id,
            question_id=question.id,
            option_ids=[o.id for o in question.options.all() if o.is_correct],
        )
    transfer_check_decide(check_id=check_id, stop=stop)
    return TransferCheck.objects.get(pk=check_id)
