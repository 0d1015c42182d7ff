"""Cold admin dashboard at a scale: each chart's query CPU time (cache cleared first).

DATABASE_URL=sqlite:////tmp/admin_scale1.sqlite3 .venv/bin/python bench/admin_dashboard.py
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "x")
import django

django.setup()
from django.core.cache import cache  # noqa: E402 (after django.setup())
from django.db import connection  # noqa: E402 (after django.setup())
from django.test.utils import CaptureQueriesContext  # noqa: E402 (after django.setup())

from config.dashboard import PANELS, chart_series  # noqa: E402 (after django.setup())

cache.clear()
w, c = time.perf_counter(), time.process_time()
with CaptureQueriesContext(connection) as q:
    for _, charts in PANELS:
        for chart in charts:
            t = time.process_time()
            chart_series(chart)
            print(f"{chart.key:<22} {(time.process_time() - t) * 1000:7.0f} ms cpu")
print(
    f"all charts: {len(q)} queries, {(time.perf_counter() - w) * 1000:.0f} ms wall, {(time.process_time() - c) * 1000:.0f} ms cpu; load {os.getloadavg()}"
)
