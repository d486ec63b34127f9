"""/queries, /fortunes and /updates as the TechEmpower Django implementation writes them."""
import random

from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render

from bench.models import World

from .models import Fortune


def _count(request):
    try:
        n = int(request.GET.get("q", "1"))
    except ValueError:
        return 1
    return min(max(n, 1), 500)


def queries(request):
    ids = [random.randint(1, 10000) for _ in range(_count(request))]
    worlds = [World.objects.get(id=i) for i in ids]
    return JsonResponse([{"id": w.id, "randomNumber": w.randomNumber} for w in worlds], safe=False)


def fortunes(request):
    rows = list(Fortune.objects.all())
    rows.append(Fortune(id=0, message="Additional fortune added at request time."))
    rows.sort(key=lambda f: f.message)
    return render(request, "fortunes.html", {"fortunes": rows})


def updates(request):
    ids = [random.randint(1, 10000) for _ in range(_count(request))]
    with transaction.atomic():  # BEGIN IMMEDIATE (transaction_mode in the shared settings)
        worlds = [World.objects.get(id=i) for i in ids]
        for w in worlds:
            w.randomNumber = random.randint(1, 10000)
        World.objects.bulk_update(worlds, ["randomNumber"])
    return JsonResponse([{"id": w.id, "randomNumber": w.randomNumber} for w in worlds], safe=False)
