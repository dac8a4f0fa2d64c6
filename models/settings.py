"""Settings, read from the environment (and an optional `.env` file) by pydantic-settings.

Embedded by default: with nothing set the bot runs on a SQLite file in ``DATA_DIR`` with an
in-process queue and worker. With ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` it runs on
PostgreSQL and Redis with separate worker processes.
"""

from __future__ import annotations

import base64
import os
import re
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: The cloud Bot API lets a bot download files of at most 20 MB; a local Bot API server
#: started with ``--local`` lifts that to 2000 MB.
CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024
LOCAL_DOWNLOAD_LIMIT = 2000 * 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    data_dir: Path = Path("data")
    database_url: str | None = None
    redis_url: str | None = None
    telegram_api_url: str | None = None
    telegram_api_local: bool = False
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Europe/Moscow"
    pd_encryption_key: SecretStr | None = None
    files_dir: Path | None = None
    log_level: str = "INFO"
    #: In the embedded mode: run the Dramatiq worker inside the bot process.
    embedded_worker: bool = True
    worker_threads: int = Field(default=4, ge=1, le=64)
    #: Telegram's overall limit for this bot, messages per second, shared by all workers
    send_rate: int = Field(default=30, ge=1, le=1000)
    #: a due message handed to the queue this long ago and still unsent is handed again
    requeue_after_seconds: int = Field(default=300, ge=1)
    #: a sender's claim on a message; a worker killed mid-send leaves it to expire
    send_lease_seconds: int = Field(default=120, ge=1)

    # --- operations: health, metrics, logs, retention (issue 8, items 4–5) ---
    #: port of /healthz, /readyz and /metrics in each process (bot, worker, scheduler); 0: off
    metrics_port: int = Field(default=9100, ge=0, le=65535)
    #: "text" (human) or "json" (one JSON object a line; СНИЛС still masked)
    log_format: Literal["text", "json"] = "text"
    #: R-PD-3: personal data of a contest are kept this many years after its end
    retention_years: int = Field(default=5, ge=1, le=100)

    # --- webhook mode (issue 8, item 3): several bot instances behind a load balancer ---
    #: public base URL Telegram posts updates to (https://bot.example.ru); set: webhook mode
    #: instead of long polling (needs REDIS_URL and WEBHOOK_SECRET, see bot/webhook.py)
    webhook_url: str | None = None
    #: Telegram sends it in X-Telegram-Bot-Api-Secret-Token; 1–256 of A–Z a–z 0–9 _ -
    webhook_secret: SecretStr | None = None
    #: where this process listens (TLS ends at the load balancer in front of it)
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = Field(default="/telegram/webhook", pattern=r"^/")

    # --- the score sheet as a Telegram Mini App (issue #16, item 1; bot/webapp) ---
    #: public HTTPS origin the Mini App is served from (https://bot.example.ru, no path); set:
    #: experts get a «📋 Лист оценок (Mini App)» button and the page is served under /webapp/
    webapp_url: str | None = None
    #: polling mode: where the Mini App's own aiohttp server listens (TLS ends in front of it);
    #: in webhook mode the page is served by the webhook's server on WEBHOOK_PORT
    webapp_host: str = "0.0.0.0"
    webapp_port: int = Field(default=8090, ge=1, le=65535)

    # --- load and faults (issue #13, items 1, 2, 5; bot/inbox.py, bot/polling.py) ---
    #: updates handled at once by one bot process (polling loop and webhook handler alike);
    #: the rest wait their turn in memory (polling) or in Telegram's queue (webhook). Keep it
    #: at or below DB_POOL_SIZE + DB_MAX_OVERFLOW minus what the worker and sweep need.
    max_concurrent_updates: int = Field(default=20, ge=1, le=1000)
    #: SQLAlchemy pool: connections kept open, extra ones allowed in a burst, and how long a
    #: unit of work waits for one before failing ("QueuePool limit … timed out")
    db_pool_size: int = Field(default=20, ge=1, le=500)
    db_max_overflow: int = Field(default=10, ge=0, le=500)
    db_pool_timeout: float = Field(default=60.0, gt=0, le=600)
    #: a handler that fails is tried this many times in all, then the person is told
    #: «Не получилось, попробуйте ещё раз» (contest_bot_updates_given_up_total)
    inbox_max_attempts: int = Field(default=3, ge=1, le=20)
    #: handled inbox rows (encrypted raw updates) are deleted after this many hours
    inbox_keep_hours: int = Field(default=48, ge=1, le=24 * 90)

    # --- rehearsal clock (issue 12, item 4; models/clock.py): staging copies only ---
    #: the moment every process's clock starts at (2027-06-02T20:55:00+03:00; without a zone:
    #: in TIMEZONE); it then runs at normal speed. Unset: the real clock.
    clock_start: datetime | None = None
    #: the wall-clock moment at which the rehearsal clock reads CLOCK_START; unset: the first
    #: process records it in the database (audit log, clock.rehearsal) and the others read it
    clock_start_at: datetime | None = None
    #: CLOCK_START is refused with a PostgreSQL DATABASE_URL (production) unless this is true
    clock_start_allow_production: bool = False

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            return frozenset(int(p) for p in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("webapp_url")
    @classmethod
    def _check_webapp_url(cls, value: str | None) -> str | None:
        """An https:// origin without a path (Telegram opens Mini Apps over HTTPS only); the
        CLI shows the catalogue's ``cli-setting-webapp-bad-url`` for this error type."""
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not re.fullmatch(r"https://[A-Za-z0-9.-]+(:[0-9]{1,5})?", value):
            raise PydanticCustomError(
                "webapp_bad_url", "WEBAPP_URL must be an https:// origin without a path"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _postgres_needs_key(self) -> Settings:
        if self.is_postgres and self.pd_encryption_key is None:
            raise ValueError(
                "PD_ENCRYPTION_KEY is required with PostgreSQL "
                "(generate one: python -m bot generate-key)"
            )
        return self

    @model_validator(mode="after")
    def _clock_zone(self) -> Settings:
        """A CLOCK_START / CLOCK_START_AT without a zone is read in TIMEZONE."""
        for name in ("clock_start", "clock_start_at"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                setattr(self, name, value.replace(tzinfo=ZoneInfo(self.timezone)))
        return self

    @property
    def is_postgres(self) -> bool:
        return (self.database_url or "").startswith("postgresql")

    @property
    def embedded(self) -> bool:
        """No Redis: the queue and the worker live inside the bot process."""
        return not self.redis_url

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'contest.sqlite3').resolve()}"

    @property
    def effective_files_dir(self) -> Path:
        return self.files_dir or self.data_dir / "files"

    @property
    def download_limit(self) -> int:
        return LOCAL_DOWNLOAD_LIMIT if self.telegram_api_local else CLOUD_DOWNLOAD_LIMIT

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def key_beside_database(self) -> Path | None:
        """The generated ``pd.key`` when it lies in ``DATA_DIR`` next to the SQLite database
        (no PD_ENCRYPTION_KEY): one copied directory or backup then holds both the
        ciphertext and its key (issue #15; the bot warns at start, README says where to keep
        it). None otherwise."""
        if self.pd_encryption_key is not None or self.database_url:
            return None
        key_file = self.data_dir / "pd.key"
        return key_file if key_file.exists() else None

    def encryption_key(self) -> bytes:
        """The personal-data key; in the embedded mode generated into ``DATA_DIR`` once."""
        if self.pd_encryption_key is not None:
            return self.pd_encryption_key.get_secret_value().encode()
        key_file = self.data_dir / "pd.key"
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key = base64.urlsafe_b64encode(os.urandom(32))
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(key)
        return key_file.read_bytes().strip()
