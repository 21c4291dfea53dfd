"""The production settings with the benchmark's URLs (``make bench`` only): the product's URLs
and, at ``/banc-admin-standard/``, the stock changelist it is compared with
(``scripts/bench_stock_admin.py``). ``scripts/`` must be on ``PYTHONPATH``."""

from ceplus.settings import *  # noqa: F403

ROOT_URLCONF = "bench_stock_admin"
