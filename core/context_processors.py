from django.conf import settings
from django.http import HttpRequest


def display_preferences(request: HttpRequest) -> dict[str, object]:
    """Elder mode from its cookie, else from the signed-in account; the hotline everywhere."""
    cookie = request.COOKIES.get("elder_mode")
    if cookie is not None:
        elder_mode = cookie == "1"
    else:
        user = getattr(request, "user", None)
        elder_mode = bool(user is not None and user.is_authenticated and user.elder_mode)
    return {"elder_mode": elder_mode, "hotline": settings.ANTI_FRAUD_HOTLINE}
