"""The production URLs plus a minimal Django view doing one INSERT: the baseline."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from core.models import WorkerPing


@csrf_exempt
def one_insert(request: HttpRequest) -> JsonResponse:
    ping = WorkerPing.objects.create()
    return JsonResponse({"id": str(ping.pk)}, status=201)


urlpatterns = [
    path("bench/baseline", one_insert),
    path("", include("config.urls")),
]
