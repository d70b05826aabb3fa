from django.conf import settings
from django.http import HttpRequest


def sign_in_options(request: HttpRequest) -> dict[str, object]:
    """Whether the login page offers sign-in by an SMS code (SIGN_IN_BY_SMS)."""
    return {"sign_in_by_sms": bool(settings.SIGN_IN_BY_SMS)}
