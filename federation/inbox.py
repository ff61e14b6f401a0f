"""The inbox (shared and the actor's own): fed-in's part of issue 17 (verification, replies as
comments, blocks). Until it lands, activities are refused politely rather than lost silently."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def inbox(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)
