"""Nothing personal in the logs (docs/privacy.md): mobile numbers, ID numbers and e-mail
addresses are masked in every line, and the web server's access log names no client."""

from __future__ import annotations

import json
import logging
import shlex
from io import StringIO

from core.logging import JsonFormatter, RedactPersonalFilter, redact
from tests.conftest import ROOT


def test_mobile_id_and_email_are_masked_and_ids_stay_readable():
    line = redact(
        "sms to 13800138000 / +86 138-0013-8000 for 110105194912310021 at laowang@example.cn; "
        "check 7d6f1c3a-5a47-4c33-9a3b-1f0d7c0b2f10, job_run 1234567"
    )

    assert "13800138000" not in line and "0013" not in line and "194912" not in line
    assert "laowang" not in line
    assert line.count("[mobile]") == 2 and "[id-number]" in line and "[email]" in line
    assert "7d6f1c3a-5a47-4c33-9a3b-1f0d7c0b2f10" in line and "1234567" in line


def test_a_log_record_is_masked_in_its_message_and_extras_before_it_is_written():
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactPersonalFilter())
    logger = logging.getLogger("tests.log_privacy")
    logger.addHandler(handler)
    try:
        logger.warning("text to %s failed", "13912345678", extra={"phone": "13912345678"})
    finally:
        logger.removeHandler(handler)

    entry = json.loads(stream.getvalue())
    assert entry["msg"] == "text to [mobile] failed"
    assert entry["phone"] == "[mobile]"


def test_the_configured_console_handler_masks_personal_data():
    from django.conf import settings

    assert "redact_personal" in settings.LOGGING["handlers"]["console"]["filters"]


def test_the_web_servers_access_log_has_no_client_address_nor_query_string():
    web = next(
        line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:")
    )
    args = shlex.split(web.removeprefix("web:"))
    log_format = args[args.index("--access-logformat") + 1]

    for field in ("%(h)s", "%(r)s", "%(q)s", "%(f)s", "%(a)s", "%(u)s"):
        assert field not in log_format, field
    assert "%(U)s" in log_format
