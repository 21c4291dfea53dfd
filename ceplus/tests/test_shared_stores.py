"""Nothing lives in one process: the cache (rate limits) and sessions are on a shared store."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

ROOT = Path(__file__).resolve().parents[2]


def test_default_cache_and_sessions_are_in_the_database():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert settings.SESSION_ENGINE == "ceplus.sessions.db"


@pytest.mark.django_db(transaction=True)
def test_a_value_cached_by_one_process_is_seen_by_another():
    cache.set("shared-probe", "vu par tous", 60)
    code = (
        "import django; django.setup(); from django.core.cache import cache; print(cache.get('shared-probe'))"
    )
    env = {**os.environ, "DATABASE_URL": _test_database_url()}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "vu par tous", result.stderr


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_redis_url_moves_cache_and_sessions_to_redis():
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is expected on 127.0.0.1:6379 under CI.")
        pytest.skip("No Redis on 127.0.0.1:6379.")
    code = (
        "import django; django.setup(); from django.conf import settings as s; from django.core.cache import cache; "
        "cache.set('probe', 'ok', 5); print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE, cache.get('probe'))"
    )
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/15"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    backend, engine, value = result.stdout.split()
    assert backend == "django.core.cache.backends.redis.RedisCache"
    assert engine == "ceplus.sessions.cached_db"
    assert value == "ok", result.stderr


def test_a_malformed_redis_url_stops_the_start_up():
    code = "import django; django.setup()"
    env = {**os.environ, "REDIS_URL": "localhost:6379"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_uploads_are_read_in_memory_and_never_written_to_disk():
    assert settings.FILE_UPLOAD_HANDLERS == ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
