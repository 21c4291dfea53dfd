"""Settings of the CE+ Services member portal, read from the environment.

Local development (``make run``) needs no variable at all: ``make`` writes ``DEBUG=1`` in a
git-ignored ``.env`` file, read below, and the database is an SQLite file.
Anything else (tests, production) runs on PostgreSQL with ``DEBUG`` off, and a missing or
malformed variable stops the process at start-up with a message naming it (see ``ceplus/env.py``).
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from ceplus.crypto import development_key, key_is_valid
from ceplus.env import Env, load_env_file
from ceplus.oidc_keys import signing_key_pem

BASE_DIR = Path(__file__).resolve().parent.parent
load_env_file(BASE_DIR / ".env")
env = Env()

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-" + "x" * 50)
else:
    SECRET_KEY = env.str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names when DEBUG is off.")

# Absolute links in emails sent outside a request (the worker, management commands).
SITE_URL = env.url("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # allauth.mfa's and usersessions' pages use its filters (naturaltime).
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.idp.oidc",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "django_tasks_db",
    "ceplus",
    "accounts",
    "structures",
    "beneficiaries",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ceplus.middleware.NulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ceplus.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Inside the CSP middleware: it sets the policy of the authorization pages before that one
    # writes the header.
    "structures.partners.middleware.AuthorizationFormActionMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "accounts.member_area.middleware.ConsentRequiredMiddleware",
]

ROOT_URLCONF = "ceplus.urls"
WSGI_APPLICATION = "ceplus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ceplus.context_processors.operator",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if DEBUG:
    DATABASES = {"default": env.database("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
else:
    DATABASES = {"default": env.database("DATABASE_URL", default="")}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// URL when DEBUG is off.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions: shared by every server process ---------------------------------------
REDIS_URL = env.str("REDIS_URL", default="-")
if REDIS_URL != "-":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.url("REDIS_URL", default="", schemes=("redis", "rediss")),
        }
    }
    SESSION_ENGINE = "ceplus.sessions.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ceplus_cache",
        }
    }
    SESSION_ENGINE = "ceplus.sessions.db"

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# The email is unique case-insensitively, by a UniqueConstraint(Lower("email")) that Django's
# check does not recognise.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
# allauth's backend alone: listing ModelBackend too would hash every failed login twice.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "first_name", "last_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.FrenchCommonPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# allauth: email is the login, signup only through a structure's invitation.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "reset_password": "accounts.auth_forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.auth_forms.ResetPasswordKeyForm",
    "change_password": "accounts.auth_forms.ChangePasswordForm",
    "set_password": "accounts.auth_forms.SetPasswordForm",
}
# Counted in the shared cache (database or Redis), keyed by the lowercased address ("key") or the
# client's IP. Many members of one company share an office IP: the per-IP limits stay generous,
# the per-account ones are tight.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/h/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
# "Votre mot de passe a été modifié" and the other security notices.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# J'ai oublié mon mot de passe: an unknown address gets the same page and no email at all.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# A reset link (J'ai oublié mon mot de passe, activation of an imported member) lives 3 hours.
PASSWORD_RESET_TIMEOUT = 3 * 60 * 60

# --- Email ------------------------------------------------------------------------------------
# Django 6.1 configures mail through MAILERS; EMAIL_URL is its one-line form.
MAILERS = env.mailers("EMAIL_URL", default="console://" if DEBUG else "smtp://localhost:25")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="CE+ Services <accueil@ceplusservices.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks: immediate by default; the database queue and its worker in production.
TASKS_BACKEND = env.str("TASKS_BACKEND", default="immediate")
if TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'immediate' or 'database'.")

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "NATIONAL"

# --- Static files -----------------------------------------------------------------------------
# Uploads (CSV imports) are read in memory during the request and never written to a server's
# disk: another server may answer the next request, and the files carry personal data.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = BASE_DIR / "var" / "media"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves the collected, hashed and compressed files; development and tests serve
# them straight from the apps' and the project's static folders.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Django's form templates, with the plain inputs written in Python (ceplus/form_renderer.py).
FORM_RENDERER = "ceplus.form_renderer.FastInputRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ---------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A session ends after this much inactivity.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=2 * 60 * 60, minimum=60)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Trust the proxy's X-Forwarded-Proto only when told the site runs behind one that sets it.
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind load balancers, the client's address (per-IP rate limits, the IP recorded with a
# consent) is read from X-Forwarded-For, trusting exactly this many proxies in front of the
# site; 0 (the default) uses the connection's address and ignores the header.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0, minimum=0)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "ceplus.errors.csrf_failure"

# Files people send (proofs of their family) are kept encrypted in the database with these keys
# (ceplus/crypto.py): the first encrypts, all decrypt, so that one can be rotated. A developer's
# machine derives one from SECRET_KEY; production must set its own.
if DEBUG:
    FILE_ENCRYPTION_KEYS = env.list("FILE_ENCRYPTION_KEYS", default=[development_key(SECRET_KEY)])
else:
    FILE_ENCRYPTION_KEYS = env.list("FILE_ENCRYPTION_KEYS", default=[])
    if not FILE_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(
            "FILE_ENCRYPTION_KEYS must be set when DEBUG is off: make a key with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        )
if not all(key_is_valid(key) for key in FILE_ENCRYPTION_KEYS):
    raise ImproperlyConfigured(
        "FILE_ENCRYPTION_KEYS must be comma-separated Fernet keys (32 bytes in URL-safe base64)."
    )

# --- Product rules ----------------------------------------------------------------------------
OPERATOR = {
    "name": "CE+ Services",
    "address": "Zone Actipolis 1 - 24 A Route Départementale 201 - 68390 SAUSHEIM",
    "phone": "03 89 56 50 25",
    "email": "accueil@ceplusservices.fr",
    "registry": "Inscrite au Registre du T.I. de Mulhouse Vol. 87 Folio n°146",
    "siret": "398 899 559 00049",
    "ape": "9499Z",
}

# --- Espace adhérent -------------------------------------------------------------------------
# The member changes their email through allauth: the new address is confirmed by a link, the
# old one stays until then and is told of the change (ACCOUNT_EMAIL_NOTIFICATIONS).
ACCOUNT_CHANGE_EMAIL = True

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) or a passkey / security
# key (WebAuthn), with recovery codes. Required of everyone with access to the admin
# (accounts.middleware.SecondFactorRequiredMiddleware), offered to members from "Mon profil".
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "CE+ Services"
# A code of the previous or next 30 seconds is accepted too (RFC 6238's advice): a phone's clock
# a few seconds off, or a code typed as it changes, still works. Each code works once.
MFA_TOTP_TOLERANCE = 1
MFA_PASSKEY_LOGIN_ENABLED = False
# WebAuthn needs https, except on a developer's http://localhost.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# "Mes appareils" (allauth.usersessions): each session is recorded when it signs in, with its
# browser and address. Not tracked on each request (USERSESSIONS_TRACK_ACTIVITY): that would be
# one more write on every page of the member area and the admin.
USERSESSIONS_TRACK_ACTIVITY = False
ACCOUNT_FORMS["add_email"] = "accounts.member_area.forms.ChangeEmailForm"
# RGPD: days after which `manage.py purge_personal_data` (run daily) erases a registration still
# pending (from the registration), a rejected one and a deactivated member (from the decision).
PURGE_PENDING_AFTER_DAYS = env.int("PURGE_PENDING_AFTER_DAYS", default=90, minimum=1)
PURGE_REJECTED_AFTER_DAYS = env.int("PURGE_REJECTED_AFTER_DAYS", default=30, minimum=1)
PURGE_DEACTIVATED_AFTER_DAYS = env.int("PURGE_DEACTIVATED_AFTER_DAYS", default=365, minimum=1)
PURGE_SENT_EMAILS_AFTER_DAYS = env.int("PURGE_SENT_EMAILS_AFTER_DAYS", default=90, minimum=1)
# A proof of family that no manager checked is deleted this many days after it was sent.
PURGE_UNCHECKED_PROOFS_AFTER_DAYS = env.int("PURGE_UNCHECKED_PROOFS_AFTER_DAYS", default=60, minimum=1)

# --- Services partenaires: the portal as an OpenID Connect provider (allauth.idp.oidc) ----------
# Authorization code with PKCE (S256, required of every client: structures.partners.views), ID
# tokens signed RS256 with the key of OIDC_PRIVATE_KEY / OIDC_PRIVATE_KEY_FILE (ceplus/oidc_keys.py).
IDP_OIDC_PRIVATE_KEY = signing_key_pem(env, debug=DEBUG, base_dir=BASE_DIR)
IDP_OIDC_ADAPTER = "structures.partners.adapter.PartnerServicesAdapter"
# The services are servers that keep a secret: no public clients.
IDP_OIDC_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
IDP_OIDC_ACCESS_TOKEN_EXPIRES_IN = 60 * 60
IDP_OIDC_AUTHORIZATION_CODE_EXPIRES_IN = 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
