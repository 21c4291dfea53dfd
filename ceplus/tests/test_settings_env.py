"""Settings from the environment: strict about bad values, with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ceplus.env import Env
from ceplus.tests.production_env import PRODUCTION_ENV, production_env_without

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["1", "true", "YES", "on"])
def test_bool_accepts_true_spellings(value):
    assert Env({"DEBUG": value}).bool("DEBUG", default=False) is True


@pytest.mark.parametrize("value", ["0", "false", "No", "off", ""])
def test_bool_accepts_false_spellings(value):
    assert Env({"DEBUG": value}).bool("DEBUG", default=True) is False


def test_bool_refuses_anything_else():
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        Env({"DEBUG": "maybe"}).bool("DEBUG", default=False)


def test_int_refuses_words_and_values_below_minimum():
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        Env({"N": "ten"}).int("N", default=1)
    with pytest.raises(ImproperlyConfigured, match="at least 60"):
        Env({"N": "5"}).int("N", default=100, minimum=60)


def test_list_refuses_empty_items():
    assert Env({"HOSTS": "a.org, b.org"}).list("HOSTS", default=[]) == ["a.org", "b.org"]
    with pytest.raises(ImproperlyConfigured, match="empty item"):
        Env({"HOSTS": "a.org,,b.org"}).list("HOSTS", default=[])


def test_str_without_default_must_be_set():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        Env({}).str("SECRET_KEY")


def test_database_url_is_parsed_with_health_checks():
    config = Env({"DATABASE_URL": "postgres://u:p@db.internal:5433/ceplus"}).database(
        "DATABASE_URL", default=""
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "ceplus")
    assert config["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", "postgres://u@h/"])
def test_database_url_refuses_other_databases_and_malformed_urls(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        Env({"DATABASE_URL": url}).database("DATABASE_URL", default="")


def test_email_url_becomes_a_mailer():
    mailers = Env({"EMAIL_URL": "smtp+tls://user%40x.org:s%3Acret@mail.example.org:587"}).mailers(
        "EMAIL_URL", default="console://"
    )
    options = mailers["default"]["OPTIONS"]
    assert mailers["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert options["host"] == "mail.example.org"
    assert options["port"] == 587
    assert options["username"] == "user@x.org"
    assert options["password"] == "s:cret"
    assert options["use_tls"] is True
    assert options["use_ssl"] is False


def test_email_url_defaults_to_the_console():
    assert (
        Env({})
        .mailers("EMAIL_URL", default="console://")["default"]["BACKEND"]
        .endswith("console.EmailBackend")
    )


def test_email_url_refuses_unknown_schemes():
    with pytest.raises(ImproperlyConfigured, match="unknown scheme 'smpt'"):
        Env({"EMAIL_URL": "smpt://mail.example.org"}).mailers("EMAIL_URL", default="console://")


def test_site_url_must_be_absolute():
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        Env({"SITE_URL": "ceplus.example.org"}).url("SITE_URL", default="http://x")


def run_check(**environ: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], **environ}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_start_up_stops_with_a_clear_message_on_a_bad_value():
    result = run_check(DEBUG="peut-être")
    assert result.returncode != 0
    assert "DEBUG='peut-être' is not a boolean" in result.stderr


def test_production_needs_postgres_and_a_real_secret_key():
    result = run_check(DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="example.org")
    assert "SECRET_KEY must be at least 50 random characters" in result.stderr
    result = run_check(DEBUG="0", SECRET_KEY="s" * 25 + "e" * 25 + "abc", ALLOWED_HOSTS="example.org")
    assert "DATABASE_URL" in result.stderr


def test_deploy_check_passes_with_production_settings():
    """`manage.py check --deploy --fail-level WARNING` is clean with production settings."""
    env = {"PATH": os.environ["PATH"], **PRODUCTION_ENV}
    result = subprocess.run(
        [
            sys.executable,
            "-W",
            "error::DeprecationWarning",
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_needs_a_file_encryption_key():
    """Without a key the proofs could not be read: production does not start, and says how to
    make one; a malformed key is refused too."""
    production = production_env_without("FILE_ENCRYPTION_KEYS")
    result = run_check(**production)
    assert result.returncode != 0
    assert "FILE_ENCRYPTION_KEYS must be set when DEBUG is off" in result.stderr
    assert "Fernet.generate_key()" in result.stderr
    result = run_check(**production, FILE_ENCRYPTION_KEYS="pas-une-clé")
    assert "FILE_ENCRYPTION_KEYS must be comma-separated Fernet keys" in result.stderr


def test_an_env_file_fills_in_what_the_environment_does_not_say(tmp_path):
    from ceplus.env import load_env_file

    env_file = tmp_path / ".env"
    env_file.write_text("# local\nDEBUG=1\nSITE_URL='http://127.0.0.1:8000'\n\nALLOWED_HOSTS=a.org\n")
    environ = {"ALLOWED_HOSTS": "b.org"}
    load_env_file(env_file, environ)
    assert environ == {"DEBUG": "1", "SITE_URL": "http://127.0.0.1:8000", "ALLOWED_HOSTS": "b.org"}


def test_a_malformed_env_file_stops_the_start_up(tmp_path):
    from ceplus.env import load_env_file

    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG 1\n")
    with pytest.raises(ImproperlyConfigured, match="line 1: expected NAME=value"):
        load_env_file(env_file, {})
