"""Where the CPU of `GET /pupmatch/discover` goes, piece by piece, in one process.

    DATABASE_URL=... python bench/discovery_parts.py

Median CPU (time.process_time) of each step the view takes, over the first 20 profiles with a
location, and of two yardsticks: `/pupmatch/health` (no auth) and `/pupmatch/auth/me` (JWT, user
query, throttles: the floor of any authenticated PupMatch read).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.test import Client, RequestFactory  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from matching import selectors, serializers  # noqa: E402
from matching.models import Profile  # noqa: E402


def cpu_ms(label: str, step, n: int = 100) -> None:
    for i in range(3):
        step(i)
    times = []
    for i in range(n):
        started = time.process_time()
        step(i)
        times.append((time.process_time() - started) * 1000)
    print(f"{label}: {statistics.median(times):.2f} ms")


def main() -> None:
    viewers = list(
        Profile.objects.filter(latitude__isnull=False)
        .select_related("user", "preferences")
        .order_by("pk")[:20]
    )
    pages = [selectors.discovery_page(profile=v, limit=50)[1] for v in viewers]
    request = RequestFactory().get("/pupmatch/discover")
    tokens = [f"Bearer {AccessToken.for_user(v.user)}" for v in viewers]
    client = Client()
    n = len(viewers)
    cpu_ms("viewer_profile", lambda i: selectors.viewer_profile(user=viewers[i % n].user))
    cpu_ms("discovery_page", lambda i: selectors.discovery_page(profile=viewers[i % n], limit=50))
    cpu_ms(
        "card_photos_and_prompts",
        lambda i: selectors.card_photos_and_prompts([c.id for c in pages[i % n]]),
    )
    cpu_ms(
        "discovery_cards (with the two queries)",
        lambda i: serializers.discovery_cards(pages[i % n], request=request, distance_unit="miles"),
    )
    cpu_ms(
        "GET /pupmatch/discover",
        lambda i: client.get("/pupmatch/discover", HTTP_AUTHORIZATION=tokens[i % n]),
    )
    cpu_ms("GET /pupmatch/health", lambda i: client.get("/pupmatch/health"))
    cpu_ms(
        "GET /pupmatch/auth/me",
        lambda i: client.get("/pupmatch/auth/me", HTTP_AUTHORIZATION=tokens[i % n]),
    )


if __name__ == "__main__":
    main()
