"""The environment of a production start-up, for the tests that start the project in a process
of its own: every variable production requires, with test-only values."""

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "Zq8#v2Lp!x9Rt4Wm7Nc1Bf6Hj3Kd5Ys0Ga8Ue2Oi4Pl7Mn9Qb1Vc3Xz6Tr8Ew5",
    "ALLOWED_HOSTS": "example.org",
    "DATABASE_URL": "postgres://ceplus@127.0.0.1:5432/ceplus",
    "FILE_ENCRYPTION_KEYS": "kSO2k6MAzM4R21Ymg7jItsDMTdZ_kGqr9jtSPmdO62U=",
    "OIDC_PRIVATE_KEY_FILE": "ceplus/tests/oidc-test-key.pem",
}


def production_env_without(*names: str) -> dict[str, str]:
    return {name: value for name, value in PRODUCTION_ENV.items() if name not in names}
