"""The key that signs the services partenaires' ID tokens comes from the environment; a missing
or unusable one stops the start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

from ceplus.env import Env
from ceplus.oidc_keys import signing_key_pem
from ceplus.tests.production_env import production_env_without

ROOT = Path(__file__).resolve().parents[2]
TEST_KEY = ROOT / "ceplus" / "tests" / "oidc-test-key.pem"


def pem_of(bits: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_the_key_is_read_from_the_variable_or_from_a_file(tmp_path):
    pem = TEST_KEY.read_text()
    assert (
        signing_key_pem(Env({"OIDC_PRIVATE_KEY": pem}), debug=False, base_dir=tmp_path).strip() == pem.strip()
    )
    one_line = pem.strip().replace("\n", "\\n")
    assert (
        signing_key_pem(Env({"OIDC_PRIVATE_KEY": one_line}), debug=False, base_dir=tmp_path).strip()
        == pem.strip()
    )
    relative = Env({"OIDC_PRIVATE_KEY_FILE": "ceplus/tests/oidc-test-key.pem"})
    assert signing_key_pem(relative, debug=False, base_dir=ROOT) == pem


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "OIDC_PRIVATE_KEY or OIDC_PRIVATE_KEY_FILE must be set"),
        ({"OIDC_PRIVATE_KEY": "pas une clé"}, "OIDC_PRIVATE_KEY is not an unencrypted private key"),
        (
            {"OIDC_PRIVATE_KEY_FILE": "/nulle/part.pem"},
            "OIDC_PRIVATE_KEY_FILE='/nulle/part.pem' cannot be read",
        ),
        ({"OIDC_PRIVATE_KEY": "x", "OIDC_PRIVATE_KEY_FILE": "y"}, "not both"),
    ],
)
def test_production_refuses_a_missing_or_unusable_key(tmp_path, environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        signing_key_pem(Env(environ), debug=False, base_dir=tmp_path)


def test_a_short_rsa_key_is_refused(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="at least 2048 bits"):
        signing_key_pem(Env({"OIDC_PRIVATE_KEY": pem_of(1024)}), debug=False, base_dir=tmp_path)


def test_a_developer_gets_a_key_made_once_and_kept(tmp_path):
    first = signing_key_pem(Env({}), debug=True, base_dir=tmp_path)
    again = signing_key_pem(Env({}), debug=True, base_dir=tmp_path)
    assert first == again
    path = tmp_path / "var" / "oidc-dev-key.pem"
    assert path.read_text() == first
    assert path.stat().st_mode & 0o077 == 0


def test_start_up_without_a_key_in_production_names_the_variable():
    env = {"PATH": os.environ["PATH"], **production_env_without("OIDC_PRIVATE_KEY_FILE")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "OIDC_PRIVATE_KEY or OIDC_PRIVATE_KEY_FILE must be set when DEBUG is off" in result.stderr
