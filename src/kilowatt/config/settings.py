"""Settings from environment variables, with embedded defaults that need nothing installed.

- ``DATABASE_URL``: PostgreSQL in production and CI (``postgres://user@host/db``); unset, a
  SQLite file ``kilowatt.sqlite3`` in the working directory.
- ``CELERY_BROKER_URL``: RabbitMQ or Redis for real workers; unset, tasks run in process.
- ``KILOWATT_SECRET_KEY``, ``KILOWATT_DEBUG``, ``KILOWATT_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("KILOWATT_DEBUG", True)
SECRET_KEY = os.environ.get("KILOWATT_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("KILOWATT_SECRET_KEY must be set when KILOWATT_DEBUG is off")
    SECRET_KEY = "kilowatt-insecure-development-key-change-me"
ALLOWED_HOSTS = os.environ.get("KILOWATT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs page's Swagger UI from its own static files (no CDN)
    "kilowatt.platform",
    "kilowatt.identity",
    "kilowatt.comms",
    "kilowatt.customers",
    "kilowatt.properties",
    "kilowatt.metering",
    "kilowatt.ledger",
    "kilowatt.accounts",
    "kilowatt.billing",
    "kilowatt.cases",
    "kilowatt.field",
    "kilowatt.sales",
    "kilowatt.integrations",
    "kilowatt.journeys",
    "kilowatt.portals",
    "kilowatt.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kilowatt.config.urls"
WSGI_APPLICATION = "kilowatt.config.wsgi.application"
AUTH_USER_MODEL = "identity.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{Path.cwd() / 'kilowatt.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a seed writes; a busy timeout instead of errors.
    DATABASES["default"]["OPTIONS"] = {
        # A writing transaction takes the write lock when it begins, so two writers queue
        # instead of both reading and then one failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("KILOWATT_STATIC_ROOT", Path.cwd() / "staticfiles"))

SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache and written through to the database: a page saves the
# session query on every request (the back office's search answers in ~20 ms, and this
# was a fifth of it), and a lost cache loses no one's sign-in. ``REDIS_URL`` shares the
# cache between server processes; without it each process keeps its own in memory.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CSRF_COOKIE_HTTPONLY = False  # HTMX reads it to send X-CSRFToken
# A meter reading may carry a photo of up to 5 MB as base64 (a third larger) in its JSON
# body; a larger body is refused before it is read (the API answers 422, rule too_large).
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024

# Celery: in process unless a broker is configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
# A worker process killed mid-task (out of memory, a machine gone) gives its task back to
# the queue instead of acknowledging it: a bill run's chunk is then billed by another.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Deliver the outbox's events to the handlers wired in config/events.py.
    "dispatch-events": {"task": "platform.dispatch_events", "schedule": 60.0},
    # The email outbox: due messages sent over SMTP (failed ones wait longer each time).
    "send-queued-emails": {"task": "comms.send_queued_emails", "schedule": 60.0},
    # Smart meters that stopped sending data: metering announces them, cases opens cases.
    "detect-silent-smart-meters": {
        "task": "metering.detect_silent_smart_meters",
        "schedule": crontab(hour=6, minute=15),
    },
    # The bill run of the accounts whose bill day was yesterday (its reads all in), before
    # the working day; its chunks spread over every worker. A run started is resumed.
    "start-due-bill-run": {"task": "billing.start_due_run", "schedule": crontab(hour=2, minute=0)},
    # A chunk whose worker died is queued again (harmless when it was billed meanwhile).
    "resume-running-bill-runs": {"task": "billing.resume_running_runs", "schedule": 900.0},
    # Final bills for supplies that ended (moves out, losses): within days, not six weeks.
    "issue-due-final-bills": {
        "task": "billing.issue_due_final_bills",
        "schedule": crontab(hour=5, minute=30),
    },
    # Journeys (moves, losses): lost supplies ended on their day before the final bills,
    # reminders for final readings and sign-ups, accounts closed once finally billed.
    "advance-journeys": {
        "task": "journeys.advance_journeys",
        "schedule": crontab(hour=5, minute=0),
    },
    # Registrations at the Central Switching Service: queued messages posted, and the
    # CSS's answers (validations, switch dates, objections, losses) fetched and applied.
    "send-switching-messages": {"task": "integrations.send_switching_messages", "schedule": 60.0},
    "fetch-switching-messages": {
        "task": "integrations.fetch_switching_messages",
        "schedule": 60.0,
    },
    # Business credit checks the agency could not answer yet, asked again when due.
    "retry-credit-checks": {"task": "integrations.retry_credit_checks", "schedule": 60.0},
    # Unsigned contracts: reminders 2, 5 and 10 days after issue; lapsed after 30.
    "chase-unsigned-contracts": {
        "task": "sales.chase_unsigned_contracts",
        "schedule": crontab(hour=9, minute=0),
    },
}

# The print-and-post bureau's web service (kilowatt.simulators.print_bureau in development):
# paper invoices go there in a monthly batch; their documents are fetched back by token.
PRINT_BUREAU_URL = os.environ.get("PRINT_BUREAU_URL", "http://127.0.0.1:8025")
PRINT_BUREAU_API_KEY = os.environ.get("PRINT_BUREAU_API_KEY", "")

# The Central Switching Service (kilowatt.simulators.switching_service in development):
# switch requests, withdrawals and annulments go there; its answers are fetched from it.
# CSS_PARTICIPANT_ID is our market participant id, the sender of our messages.
CSS_URL = os.environ.get("CSS_URL", "http://127.0.0.1:8027")
CSS_API_KEY = os.environ.get("CSS_API_KEY", "")
CSS_PARTICIPANT_ID = os.environ.get("CSS_PARTICIPANT_ID", "KWLT")

# The business credit reference agency (kilowatt.simulators.credit_agency in development):
# business sign-ups are checked there before their contract is sent.
CREDIT_AGENCY_URL = os.environ.get("CREDIT_AGENCY_URL", "http://127.0.0.1:8028")
CREDIT_AGENCY_API_KEY = os.environ.get("CREDIT_AGENCY_API_KEY", "")

# Outgoing email (comms.operations.send_queued_emails) goes to an SMTP server; in
# development a local one (``python -m aiosmtpd -n -l 127.0.0.1:1025`` prints what it
# gets). Without a server queued emails simply wait, backing off.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "1025"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _flag("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Kilowatt Energy <bills@kilowatt.energy>")

# Which handlers react to which events (see platform.events.dispatch).
KILOWATT_EVENT_HANDLERS = "kilowatt.config.events.HANDLERS"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KILOWATT_LOG_LEVEL", "WARNING")},
}

# Where people reach this installation: links in emails (signing a contract, cancelling
# in cooling-off) start with it.
KILOWATT_PUBLIC_URL = os.environ.get("KILOWATT_PUBLIC_URL", "http://127.0.0.1:8000")

# The company's seal on signed contracts (sales.operations.company_seal): PEM files of its
# signing key, its certificate and the certificate authority that issued it. Unset, a
# development identity is made once in CONTRACT_SEAL_DIR and reused.
CONTRACT_SEAL_KEY_FILE = os.environ.get("CONTRACT_SEAL_KEY_FILE", "")
CONTRACT_SEAL_CERT_FILE = os.environ.get("CONTRACT_SEAL_CERT_FILE", "")
CONTRACT_SEAL_CA_FILE = os.environ.get("CONTRACT_SEAL_CA_FILE", "")
CONTRACT_SEAL_DIR = Path(os.environ.get("CONTRACT_SEAL_DIR", Path.cwd() / "var" / "contract-seal"))
