"""Typed, frozen settings read once from config.yaml and the environment.

Precedence, highest first: ``SPORTELLO_<SECTION>__<KEY>`` environment variables, then the
YAML file, then the defaults below. Secrets are never written in the file: a secret key
must be given as ``${ENV_VAR}`` (optionally ``${ENV_VAR:-default}``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.errors import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PACKAGE_ROOT / "knowledge" / "sample"
SAMPLE_MAX_AGE_SECONDS = 10 * 365 * 86400.0

#: Keys whose values are secrets: in the YAML they may only reference the environment.
SECRET_KEYS = frozenset(
    {
        "token",
        "bearer_token",
        "consumer_key",
        "consumer_secret",
        "access_token",
        "access_token_secret",
        "secret_token",
        "secret_key",
        "password",
        "smtp_password",
    }
)

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OperatorSettings(_Section):
    """Who sportello speaks for."""

    name: str = "Sportello TPL"
    timezone: str = "Europe/Rome"
    emergency_number: str = "112"
    customer_phone: str = "06 57003"
    breakdown_number: str | None = Field(
        None, description="the operator's own emergency/breakdown line (pronto intervento): the water and waste "
        "safety replies give it after the emergency number"
    )
    languages: tuple[str, ...] = ("it", "en")


class RetainDays(_Section):
    """How many days each kind of personal data is kept before it is anonymised."""

    messages: int = Field(180, ge=1)
    replies: int = Field(180, ge=1)
    corrections: int = Field(365, ge=1)
    audit: int = Field(730, ge=1)


class PrivacySettings(_Section):
    """Retention of citizens' personal data."""

    retain_days: RetainDays = RetainDays()
    retention_hour: int = Field(3, ge=0, le=23)


class StorageSettings(_Section):
    """Where messages, cases and logs live."""

    url: str = Field("sqlite:///var/sportello.db", description="an SQLAlchemy URL (relative SQLite paths are from the working folder)")
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            msg = "expected an SQLAlchemy URL starting with sqlite:/// or postgresql+psycopg://"
            raise ValueError(msg)
        return value


class WebSettings(_Section):
    """The HTTP server for the web chat, its API and the console."""

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    secret_key: str | None = None
    max_message_chars: int = Field(4000, ge=1)
    secure_cookies: bool = False
    # Request bodies larger than this many bytes are refused (413) before anything reads them.
    max_body_bytes: int = Field(262144, ge=1024)
    # JSON nested deeper than this is refused (400) before it is parsed.
    max_json_depth: int = Field(32, ge=2, le=1000)
    # Chat messages one conversation may post a minute (429 with Retry-After beyond).
    chat_posts_per_minute: float = Field(10.0, gt=0)
    # Chat messages and new conversations one address may post a minute.
    client_posts_per_minute: float = Field(60.0, gt=0)
    # Chat reads one address may make a minute (an open chat page reads every 1.5 s).
    client_reads_per_minute: float = Field(600.0, gt=0)


class WorkerSettings(_Section):
    """The processes that route messages and post replies."""

    count: int = Field(2, ge=0, le=64)
    processes: int = Field(
        1, ge=0, le=16,
        description="processes of `count` worker threads `sportello run` starts beside its web server"
        " (0: the threads run in the web server's process; `--no-web` always runs them in its own)",
    )
    lease_seconds: float = Field(60.0, gt=0)
    idle_seconds: float = Field(0.2, gt=0)
    max_attempts: int = Field(5, ge=1)
    claim_batch: int = Field(32, ge=1, le=100)


class FeedSettings(_Section):
    """One GTFS-Realtime feed: a file path or an http(s) URL."""

    source: str | None = None
    refresh_seconds: float = Field(60.0, gt=0)
    max_age_seconds: float = Field(900.0, gt=0)
    timeout_seconds: float = Field(10.0, gt=0)


class AlertFeedSettings(FeedSettings):
    """The service-alerts feed, whose disappearing alerts wait for a second fetch to agree."""

    max_shrink_share: float = Field(
        0.5, ge=0, le=1, description="a fetch losing more than this share of the alerts is suspect until the next"
    )


class KnowledgeSettings(_Section):
    """The network, its live disruption data and the FAQ."""

    domain: str = Field(
        "transit", description="the kind of service (knowledge/domains/): transit, water, waste; it says which sources below are read"
    )
    gtfs: str | None = Field(
        str(SAMPLE_DIR / "gtfs"), description="GTFS folder or zip; null: a service without lines and stops"
    )
    # The sample is a fixed demonstration file (published 27/11/2025): its default limit is ten years.
    # Any `alerts` section in the configuration starts again from AlertFeedSettings' own 900 s.
    alerts: AlertFeedSettings = AlertFeedSettings(
        source=str(SAMPLE_DIR / "alerts.textproto"), max_age_seconds=SAMPLE_MAX_AGE_SECONDS
    )
    trip_updates: FeedSettings = FeedSettings()
    stop_names: str | None = Field(
        None, description="stop names in other languages and scripts (Colisée, テルミニ): a file in the format of "
        "GTFS translations.txt, added to the feed's own"
    )
    faq: tuple[str, ...] = (str(SAMPLE_DIR / "faq"),)
    faq_engine: Literal["lexical", "fused"] = Field(
        "lexical",
        description="lexical: FAQs with several phrasings an entry (transit); fused: one formal question and a "
        "long answer an entry (utility FAQs: meaning of question and answer with BM25, calibrated at load)",
    )
    faq_max_age_days: float | None = Field(
        None, gt=0, description="FAQ files older than this are not answered alone (None: no limit)"
    )
    cache_dir: str | None = None
    outages: AlertFeedSettings = Field(
        AlertFeedSettings(), description="CAP 1.2 alerts (one alert or an Atom feed of them): file or URL"
    )
    planned_outages: AlertFeedSettings = Field(
        AlertFeedSettings(), description="a table of planned interruptions (CSV, columns in the README)"
    )
    gazetteer: tuple[str, ...] = Field(
        (), description="streets of the territory: CSV or GeoJSON files (columns in the README)"
    )

    @field_validator("domain")
    @classmethod
    def _known_domain(cls, value: str) -> str:
        from knowledge.domains import known_domains

        if value not in known_domains():
            msg = f"unknown domain {value!r}; known domains: {', '.join(known_domains())}"
            raise ValueError(msg)
        return value


class ServiceSettings(_Section):
    """One service of a multi-service desk (a city's buses, water, waste): its own knowledge and channels."""

    label: str | None = Field(None, description="how the console names the service (default: its name)")
    knowledge: KnowledgeSettings = Field(
        KnowledgeSettings(), description="the service's domain, FAQ and feeds, as the top-level knowledge section"
    )
    channels: tuple[str, ...] = Field(
        (), description="channels whose messages are this service's without reading them (e.g. [telegram])"
    )
    customer_phone: str | None = Field(
        None, description="the number this service's replies give (default: operator.customer_phone)"
    )
    breakdown_number: str | None = Field(
        None, description="this service's own emergency/breakdown line in its safety reply (default: operator.breakdown_number)"
    )


class DeskSettings(_Section):
    """How a multi-service desk chooses a message's service by reading it (when its channel does not say)."""

    min_score: float = Field(
        1.0, ge=0, description="evidence a service needs (each word naming it counts 1, its FAQ nearest in meaning 1; a line or a stop of its network found, 2)"
    )
    min_lead: float = Field(
        1.0, ge=0, description="how far ahead of the next service it must be; otherwise a person decides"
    )
    meaning_lead: float | None = Field(
        None, ge=0, le=2, description="on (e.g. 0.1): the service whose FAQ question is nearest in meaning by this cosine lead gains 1"
    )


class PolicySettings(_Section):
    """What may be posted without a person looking first."""

    auto_intents: tuple[str, ...] = ("status", "faq", "feedback")
    auto_min_confidence: float = Field(0.8, ge=0, le=1)
    auto_enabled: bool = True


class ReaderSettings(_Section):
    """The learned reader's model and its retraining."""

    model: str | None = None  # a model file (.npz); unset: the newest in model_dir, else the one shipped
    model_dir: str | None = None  # where `sportello train` and the scheduled retrain keep versioned models
    retrain_hours: float = Field(0.0, ge=0)  # hours between scheduled retrains (0: never)
    training: tuple[str, ...] = ()  # labelled JSON Lines files the retrain learns from, besides corrections
    # How the sentence encoder's network runs: onnxruntime on the 8-bit integers its weights came in (about a third
    # of the time; a message whose danger score lands near its threshold is read again with float32 products:
    # bot/reading/encoder_int8.py), or numpy on float32 throughout. One process, one choice.
    encoder: Literal["float32", "integer"] = "integer"
    # true: a model trained without a watch band of its own reads with the band its training held out (its info's
    # held_out.watch_threshold*): a message under the emergency lane's threshold but in the band is possible danger,
    # never answered alone and first in the agents' queue. Off by default: it also holds water leak reports, a waste
    # strike's answer and follow commands of the other utilities' examples (docs/reader-journal.md, session 21); on in
    # the Rome config.yaml since session 24, where on the read Rome sets it held the emergencies the lane missed at
    # 7-17 % of calm messages watched.
    watch_band: bool = False
    # true: a message neither in danger nor watched, with two sentences or more, is read again sentence by sentence;
    # when one sentence alone reaches its language's danger threshold (smoke told after a complaint about a delay),
    # the message is watched: held for a person at once, never escalated (bot/reading/sentences.py). Costs an encoder
    # read per sentence of such messages (about 0.7 reads a message on Rome's sealed sets). Off by default, as
    # watch_band; on in the Rome config.yaml (docs/reader-journal.md, "A sentence that reads as danger, watched").
    watch_sentences: bool = False


class WebChannelSettings(_Section):
    """The built-in web chat."""

    enabled: bool = True


class XChannelSettings(_Section):
    """X (Twitter) through tweepy."""

    enabled: bool | Literal["auto"] = "auto"
    base_url: str = "https://api.twitter.com"
    bearer_token: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = None
    access_token: str | None = None
    access_token_secret: str | None = None
    account: str | None = None
    poll_seconds: float = Field(60.0, gt=0)
    daily_call_cap: int = Field(10000, ge=0)
    # How far back the very first poll looks for mentions and DMs (no cursor stored yet).
    backfill_minutes: float = Field(60.0, ge=0)
    # Seconds before an API call is abandoned (a post that times out is reconciled, not re-sent).
    timeout_seconds: float = Field(15.0, gt=0)
    # Retries of a call that failed with a 5xx or a timeout, with exponential back-off and jitter.
    max_retries: int = Field(4, ge=0)
    backoff_seconds: float = Field(1.0, gt=0)
    # Longest wait for a rate-limit reset while posting; beyond it the post is retried later.
    max_rate_wait_seconds: float = Field(900.0, ge=0)


class TelegramChannelSettings(_Section):
    """Telegram through python-telegram-bot."""

    enabled: bool | Literal["auto"] = "auto"
    base_url: str = "https://api.telegram.org/bot"
    token: str | None = None
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    secret_token: str | None = None
    poll_seconds: float = Field(2.0, gt=0)
    # getUpdates long-poll wait; keep it below the poll job's lease (10 s at least).
    long_poll_seconds: int = Field(5, ge=0, le=50)
    # Path of the webhook route on sportello's web server (webhook mode).
    webhook_path: str = "/telegram/webhook"
    timeout_seconds: float = Field(15.0, gt=0)
    max_retries: int = Field(4, ge=0)
    backoff_seconds: float = Field(1.0, gt=0)
    # Flood control: Telegram allows about 30 messages/s overall and 1/s per chat (20/min in groups).
    global_per_second: float = Field(25.0, gt=0)
    chat_per_second: float = Field(1.0, gt=0)
    group_per_minute: float = Field(20.0, gt=0)
    # Webhook updates accepted per chat a minute, and per sending address (429 beyond).
    chat_updates_per_minute: float = Field(20.0, gt=0)
    webhook_per_minute: float = Field(1200.0, gt=0)


class ChannelsSettings(_Section):
    """Every channel adapter sportello knows, by name."""

    web: WebChannelSettings = WebChannelSettings()
    x: XChannelSettings = XChannelSettings()
    telegram: TelegramChannelSettings = TelegramChannelSettings()


class ConsoleSettings(_Section):
    """The care agents' console."""

    response_target_minutes: float = Field(5.0, gt=0)
    # Opening a message claims it for this long; after that another agent may take it.
    claim_minutes: float = Field(15.0, gt=0)
    # How far back the queue shows messages the bot answered on its own.
    recent_auto_hours: float = Field(6.0, gt=0)
    # A signed-in agent is signed out after this long, however active.
    session_hours: float = Field(12.0, gt=0)
    # ... and after this long without a request.
    idle_minutes: float = Field(60.0, gt=0)
    # Wrong passwords for one account, or from one address, before its sign-in pauses.
    login_failures_per_account: int = Field(5, ge=1)
    login_failures_per_address: int = Field(20, ge=1)
    # How long a paused sign-in stays paused (the failures are counted over this window).
    login_pause_minutes: float = Field(15.0, gt=0)
    # Password checks run at once (argon2id takes 64 MiB each); more sign-ins get 503 at once.
    concurrent_logins: int = Field(2, ge=1, le=64)
    # How often an open console asks for new messages.
    poll_seconds: float = Field(3.0, gt=0)
    # An emergency's waiting colour: amber past half of this, red past it.
    emergency_target_minutes: float = Field(1.0, gt=0)


class EmergencySettings(_Section):
    """The emergency lane: who else hears of an emergency at once (the operations room)."""

    # A Telegram chat id (the bot must be in it) told of every emergency at once.
    notify_telegram_chat: str | None = None
    # An e-mail address told of every emergency at once (sent through reports.smtp_*).
    notify_email: str | None = None


class AcknowledgementSettings(_Section):
    """The word a citizen gets when a message waits for a person."""

    enabled: bool = True
    # Channels on which held messages are acknowledged (others stay silent until a person answers).
    channels: tuple[str, ...] = ("web", "x", "telegram")


class CaseSettings(_Section):
    """A case's life: when a quiet case closes, how long an agent holds a conversation."""

    # A case answered or resolved closes after this many hours without a new message.
    close_after_hours: float = Field(24.0, gt=0)
    # After an agent's reply the bot stays silent in that conversation for this long.
    agent_hold_minutes: float = Field(30.0, ge=0)
    # How often the closing job runs.
    check_seconds: float = Field(300.0, gt=0)


class SubscriptionSettings(_Section):
    """Citizens who follow a line, a stop or a place: alerts and outages pushed to them, and optionally (alerts
    only) to the operator's X timeline."""

    enabled: bool = True
    # Local hours (operator.timezone) when no alert is pushed: "HH:MM-HH:MM", or "" for none.
    # A notice due then waits for the end; one an end made pointless meanwhile is skipped.
    quiet_hours: str = "23:00-07:00"
    # Alert messages one person gets in a local day at most; beyond it they are dropped (counted).
    daily_cap: int = Field(10, ge=1)
    # Lines, stops and places one person may follow at once.
    max_per_person: int = Field(20, ge=1)
    # Notices sent per claim; the sender holds them under a lease of workers.lease_seconds.
    send_batch: int = Field(200, ge=1, le=1000)
    # Notices in flight at once (different people; one person's go in order). The channel's own pacing
    # (channels.telegram.global_per_second, chat_per_second) holds across them.
    senders: int = Field(8, ge=1, le=32)
    # Post each new and ended alert once to the operator's own X timeline (channels.x must be on).
    post_to_x: bool = False
    # X timeline posts a day at most (each is also counted in channels.x.daily_call_cap).
    x_daily_posts: int = Field(50, ge=0)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", value):
            msg = f"{value!r}: write the quiet hours as HH:MM-HH:MM (e.g. 23:00-07:00), or \"\" for none"
            raise ValueError(msg)
        return value


class ReportSettings(_Section):
    """Scheduled reports."""

    digest_hour: int = Field(7, ge=0, le=23)
    digest_dir: str = "reports"
    digest_email: str | None = None
    digest_telegram_chat: str | None = None
    # The digest's language ("it" or "en"); unset: the operator's first language (operator.languages).
    digest_lang: Literal["it", "en"] | None = None
    # A line or stop is a new hot spot in the digest with this many reports yesterday and none
    # in the week before.
    hot_spot_min_reports: int = Field(3, ge=1)
    # Realtime route_id -> static route_id where the feeds disagree (Rome: MA -> 248).
    route_aliases: dict[str, str] = Field(default_factory=dict)
    # Trip updates are stored for the service report this often (0 turns it off).
    snapshot_seconds: float = Field(60.0, ge=0)
    # Trip-update snapshots further apart than this leave a gap in the recording: trips scheduled
    # only inside a gap are "not recorded", never "missed".
    recording_gap_seconds: float = Field(300.0, gt=0)
    # A delay (late or early) beyond this is flagged as implausible and left out of every average.
    max_plausible_delay_minutes: float = Field(60.0, gt=0)
    # The outgoing mail server for the digest e-mail.
    smtp_host: str | None = None
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_from: str = "sportello@localhost"
    # Told (e-mail through smtp_*) once per breach when the oldest waiting message passes its target.
    sla_notify_email: str | None = None
    # A Telegram chat told the same (the bot must be in it; channels.telegram.token is used).
    sla_notify_telegram_chat: str | None = None
    # How often the breach watch looks at the queue.
    sla_check_seconds: float = Field(60.0, gt=0)


class PublicSettings(_Section):
    """The public transparency site (/trasparenza): aggregates only, open to anyone."""

    # Serve /trasparenza without sign-in.
    enabled: bool = True
    # The licence the published data is given under (named on every page and file).
    licence: str = "CC BY 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/"
    # How many days back each line's history goes.
    days: int = Field(30, ge=1, le=366)
    # Counts of citizens' reports or messages below this are shown as "< N", never exactly.
    min_count: int = Field(3, ge=1)
    # A page is rebuilt at most this often (its figures are this old at worst).
    cache_seconds: float = Field(60.0, ge=0)


class MetricsSettings(_Section):
    """The Prometheus metrics at ``/metrics``."""

    enabled: bool = Field(False, description="serve /metrics (Prometheus text format) on the web server")
    token: str | None = Field(
        None, description="when set (as ${ENV_VAR}), /metrics asks for 'Authorization: Bearer <token>'"
    )


class LoggingSettings(_Section):
    """What a process logs, and in which shape."""

    format: Literal["text", "json"] = Field(
        "text", description="text: one readable line a record; json: one JSON object a line, with case and message ids"
    )
    access_log: bool = Field(True, description="log each HTTP request (uvicorn's access log)")
    quiet_paths: tuple[str, ...] = Field(
        ("/api/chat", "/api/chat/*", "/console/api/queue", "/health", "/metrics"),
        description="successful GETs of these paths (a trailing * matches any rest) are left out of the access log",
    )


class DebugSettings(_Section):
    """Fault injection for crash tests; leave at zero in production."""

    pause_after_claim: float = Field(0.0, ge=0)
    pause_before_finalize: float = Field(0.0, ge=0)


class Settings(BaseSettings):
    """All of sportello's settings."""

    model_config = SettingsConfigDict(
        env_prefix="SPORTELLO_",
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
    )

    operator: OperatorSettings = OperatorSettings()
    storage: StorageSettings = StorageSettings()
    web: WebSettings = WebSettings()
    workers: WorkerSettings = WorkerSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
    services: dict[str, ServiceSettings] = Field(
        default_factory=dict, description="several services on one desk, by name; set instead of knowledge"
    )
    desk: DeskSettings = DeskSettings()
    policy: PolicySettings = PolicySettings()
    reader: ReaderSettings = ReaderSettings()
    channels: ChannelsSettings = ChannelsSettings()
    console: ConsoleSettings = ConsoleSettings()
    reports: ReportSettings = ReportSettings()
    public: PublicSettings = PublicSettings()
    privacy: PrivacySettings = PrivacySettings()
    emergency: EmergencySettings = EmergencySettings()
    acknowledgements: AcknowledgementSettings = AcknowledgementSettings()
    cases: CaseSettings = CaseSettings()
    subscriptions: SubscriptionSettings = SubscriptionSettings()
    metrics: MetricsSettings = MetricsSettings()
    logging: LoggingSettings = LoggingSettings()
    debug: DebugSettings = DebugSettings()

    @field_validator("services")
    @classmethod
    def _services(cls, value: dict[str, ServiceSettings]) -> dict[str, ServiceSettings]:
        claimed: dict[str, str] = {}
        for name, service in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", name):
                msg = f"{name!r}: a service's name is 1-32 lower-case letters, digits, - or _, starting with a letter"
                raise ValueError(msg)
            for channel in service.channels:
                if channel not in ChannelsSettings.model_fields:
                    msg = f"{name}.channels: unknown channel {channel!r}; known channels: {', '.join(ChannelsSettings.model_fields)}"
                    raise ValueError(msg)
                if channel in claimed:
                    msg = f"{name}.channels: {channel} is already {claimed[channel]}'s"
                    raise ValueError(msg)
                claimed[channel] = name
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)


def expand_env(value: str, *, key: str) -> str | None:
    """Replace ``${VAR}`` / ``${VAR:-default}`` with the environment's value.

    A value that is only a reference to an unset variable with no default becomes None.
    """

    whole = _ENV_REF.fullmatch(value.strip())
    if whole:
        name, default = whole.group(1), whole.group(2)
        found = os.environ.get(name)
        if found:
            return found
        return default if default else None

    def _sub(match: re.Match[str]) -> str:
        return os.environ.get(match.group(1)) or match.group(2) or ""

    return _ENV_REF.sub(_sub, value)


def _expand(node: Any, path: str) -> Any:
    if isinstance(node, dict):
        return {k: _expand(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_expand(v, f"{path}[{i}]") for i, v in enumerate(node)]
    if isinstance(node, str):
        leaf = path.rsplit(".", 1)[-1]
        if leaf in SECRET_KEYS and node.strip() and not _ENV_REF.fullmatch(node.strip()):
            msg = (
                f"{path}: secrets are read from the environment only; "
                f"write it as ${{SOME_ENV_VAR}} and export that variable"
            )
            raise ConfigError(msg)
        return expand_env(node, key=path)
    return node


_PATH_KEYS = ("gtfs", "stop_names", "source", "faq", "cache_dir", "digest_dir", "gazetteer")


def _resolve_paths(data: dict[str, Any], base: Path) -> None:
    """Make relative file paths in the knowledge/report sections relative to the config file."""

    def fix(value: Any) -> Any:
        if isinstance(value, str) and "://" not in value and not Path(value).is_absolute():
            return str((base / value).resolve())
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    blocks = [data.get("knowledge"), data.get("reports")]
    services = data.get("services")
    if isinstance(services, dict):
        blocks += [s.get("knowledge") for s in services.values() if isinstance(s, dict)]
    for block in blocks:
        if not isinstance(block, dict):
            continue
        for key, value in list(block.items()):
            if key in _PATH_KEYS:
                block[key] = fix(value)
            elif isinstance(value, dict) and "source" in value:
                value["source"] = fix(value["source"])


def _describe(error: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in error.get("loc", ()))
    if error.get("type") == "extra_forbidden":
        parent, _, name = loc.rpartition(".")
        known = _known_keys(parent)
        where = f"{parent}." if parent else ""
        return f"{where}{name}: unknown key; known keys here: {', '.join(known)}"
    got = error.get("input")
    shown = "" if isinstance(got, dict) else f" (got {got!r})"
    return f"{loc}: {error.get('msg')}{shown}"


def _known_keys(dotted: str) -> list[str]:
    model: type[BaseModel] = Settings
    for part in filter(None, dotted.split(".")):
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return sorted(model.model_fields)


ENV_PREFIX = "SPORTELLO_"
ENV_DELIMITER = "__"


def env_name(loc: tuple[str | int, ...]) -> str:
    """The environment variable that sets the key at ``loc`` (``SPORTELLO_WEB__PORT``)."""
    return ENV_PREFIX + ENV_DELIMITER.join(str(part) for part in loc).upper()


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """Refuse a ``SPORTELLO_<SECTION>__<KEY>`` variable that names no setting, naming the variable.

    Variables without ``__`` that are no section's name (``SPORTELLO_SECRET_KEY``, read through
    ``${...}`` in the file) are not overrides and are left alone.
    """
    environ = os.environ if environ is None else environ
    for name in sorted(environ):
        if not name.upper().startswith(ENV_PREFIX):
            continue
        rest = name[len(ENV_PREFIX):].lower()
        if ENV_DELIMITER not in rest and rest not in Settings.model_fields:
            continue
        model: type[BaseModel] = Settings
        parts = rest.split(ENV_DELIMITER)
        for depth, part in enumerate(parts):
            known = sorted(model.model_fields)
            where = ".".join(parts[:depth])
            if part not in model.model_fields:
                what = f"unknown key {part!r} in {where}" if where else f"unknown section {part!r}"
                msg = f"{name} (environment): {what}; known {'keys' if where else 'sections'}: {', '.join(known)}"
                raise ConfigError(msg)
            annotation = model.model_fields[part].annotation
            if depth < len(parts) - 1:
                if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                    msg = f"{name} (environment): {'.'.join(parts[:depth + 1])} is a setting, not a section"
                    raise ConfigError(msg)
                model = annotation


def _from_environment(error: dict[str, Any], environ: Mapping[str, str]) -> str | None:
    """The variable an error's value came from, when the environment set it."""
    loc = tuple(error.get("loc", ()))
    upper = {k.upper() for k in environ}
    for end in range(len(loc), 0, -1):
        name = env_name(loc[:end])
        if name in upper:
            return name
    return None


def load_settings(path: str | Path | None = None) -> Settings:
    """Read and validate settings from a YAML file (if given) and the environment.

    Raises :class:`ConfigError` naming the key (or the environment variable) and what is expected.
    """
    check_environment()

    data: dict[str, Any] = {}
    if path is not None:
        file = Path(path)
        if not file.exists():
            msg = f"{file}: config file not found (pass --config FILE or create config.yaml)"
            raise ConfigError(msg)
        try:
            raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            msg = f"{file}: not valid YAML: {exc}"
            raise ConfigError(msg) from exc
        if not isinstance(raw, dict):
            msg = f"{file}: expected a mapping of sections (storage:, web:, ...) at the top"
            raise ConfigError(msg)
        data = _expand(raw, "")
        _resolve_paths(data, file.resolve().parent)
    if data.get("services") and "knowledge" in data:
        msg = f"{path}: knowledge: a desk of several services sets each one's knowledge under services.<name>.knowledge, not at the top"
        raise ConfigError(msg)
    try:
        return Settings(**data)
    except ValidationError as exc:
        from_env = [(e, _from_environment(e, os.environ)) for e in exc.errors()]
        lines = [f"{name} (environment): {_describe(e)}" if name else _describe(e) for e, name in from_env]
        blame = f"{path}: " if path and any(name is None for _e, name in from_env) else ""
        msg = blame + "invalid configuration:\n  " + "\n  ".join(lines)
        raise ConfigError(msg) from exc


def channel_enabled(setting: bool | str, *credentials: str | None) -> bool:
    """Whether a channel runs: ``True``/``False`` as set, or ``auto`` when its credentials exist."""
    if setting == "auto":
        return any(credentials)
    return bool(setting)
