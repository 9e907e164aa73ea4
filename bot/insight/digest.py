"""The daily digest for operations: yesterday's top problems, new hot spots, unanswered reports.

Written to ``reports.digest_dir`` every morning and, when configured, sent by e-mail (smtplib)
and to a Telegram chat (through the Telegram adapter's ``post_text``).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, select

from bot.channels.telegram_post import post_text
from bot.config import Settings
from bot.domain import as_utc
from bot.errors import ChannelError
from bot.insight.digest_words import DigestWords
from bot.insight.errors import DigestError
from bot.insight.period import day_period, local_day
from bot.insight.problems import Count, HotSpot, ProblemLog, hot_spots
from bot.insight.reading import reader
from bot.insight.refresh import refresh_insight
from bot.insight.render import minutes, share
from bot.insight.response import OPEN_STATES, Backlog, ResponseTimes
from bot.insight.service import RouteNames
from bot.privacy.pii import redact
from bot.subjects import TRANSIT_KINDS, split_key
from knowledge.gtfs import GtfsIndex
from storage.models import Message

log = logging.getLogger(__name__)
M = Message.__table__.c


@dataclass(frozen=True)
class Waiting:
    """A message still waiting for an answer."""

    message_id: int
    channel: str
    received_at: datetime
    state: str
    text: str


@dataclass(frozen=True)
class Digest:
    """One day's digest."""

    day: date
    reports: Count
    top_lines: list[Count]
    top_stops: list[Count]
    top_places: list[Count]  # streets, areas, service points (subject keys), most reported first
    place_labels: dict[str, str]  # their labels, by key
    categories: list[Count]
    hot_spots: list[HotSpot]
    unanswered_from_day: int
    backlog: Backlog
    oldest_waiting: list[Waiting]
    lang: str  # the language of ``text`` (``reports.digest_lang``)
    text: str


def build_digest(engine: Engine, settings: Settings, *, now: datetime, gtfs: GtfsIndex | None = None) -> Digest:
    """The digest of the local day before ``now``."""
    tz = settings.operator.timezone
    day = local_day(now, tz) - timedelta(days=1)
    period = day_period(day, tz)
    problems = ProblemLog(engine, tz=tz)
    refresh_insight(engine, settings, now=now)
    times = ResponseTimes(engine, tz=tz, target_minutes=settings.console.response_target_minutes)
    with reader(engine).connect() as conn:
        waiting = [
            Waiting(int(r.id), r.channel, as_utc(r.received_at), r.state, redact(" ".join(r.text.split()))[:120])
            for r in conn.execute(
                select(M.id, M.channel, M.received_at, M.state, M.text)
                .where(M.state.in_(OPEN_STATES)).order_by(M.received_at, M.id).limit(5)
            )
        ]
        from_day = conn.execute(
            select(func.count()).select_from(Message.__table__)
            .where(M.state.in_(OPEN_STATES), M.received_at >= period.since, M.received_at < period.until)
        ).scalar()
    names = RouteNames(gtfs, settings.reports.route_aliases)
    top_places = [c for c in problems.counts_by("subject", period, limit=None)
                  if split_key(c.key)[0] not in TRANSIT_KINDS][:5]
    digest = dict(
        day=day,
        reports=problems.total(period),
        top_lines=problems.counts_by("route", period, limit=5),
        top_stops=problems.counts_by("stop", period, limit=5),
        top_places=top_places,
        place_labels=problems.subject_labels([c.key for c in top_places]),
        categories=problems.counts_by("category", period, limit=5),
        hot_spots=hot_spots(problems, period, min_reports=settings.reports.hot_spot_min_reports),
        unanswered_from_day=int(from_day or 0),
        backlog=times.backlog(now),
        oldest_waiting=waiting,
    )
    words = DigestWords(digest_language(settings))
    return Digest(**digest, lang=words.lang, text=_text(digest, names, settings.operator.name, words))


def digest_language(settings: Settings) -> str:
    """``reports.digest_lang``, else the operator's first language."""
    return settings.reports.digest_lang or (settings.operator.languages or ("it",))[0]


def _text(d: dict, names: RouteNames, operator: str, words: DigestWords) -> str:
    total: Count = d["reports"]
    lines = [words("title", operator=operator, day=d["day"]), "",
             words("reports", reports=total.reports, share=share(total.known, total.reports), unknown=total.unknown), ""]

    def block(title: str, rows: list[Count], label: Callable[[str], str] = str) -> None:
        lines.append(words(title))
        lines.extend("  " + words("row", label=label(c.key), reports=c.reports, unknown=c.unknown) for c in rows)
        if not rows:
            lines.append("  " + words("none"))
        lines.append("")

    block("top_lines", d["top_lines"], names.label)
    block("top_stops", d["top_stops"])
    if d["top_places"]:  # streets, areas, service points: what other services' reports name
        block("top_places", d["top_places"], lambda key: d["place_labels"].get(key, key))
    block("categories", d["categories"], words.category)
    lines.append(words("hot_spots"))
    spots: list[HotSpot] = d["hot_spots"]
    lines.extend(f"  {words.kind(s.kind)} {names.label(s.key) if s.kind == 'line' else s.label or s.key}: {s.reports}"
                 for s in spots)
    if not spots:
        lines.append("  " + words("none"))
    backlog: Backlog = d["backlog"]
    lines += ["", words("unanswered", from_day=d["unanswered_from_day"], backlog=backlog.count)
              + (words("oldest", age=minutes(backlog.oldest_age_s)) if backlog.oldest_age_s else "")]
    lines.extend(f"  #{w.message_id} {w.channel} {words.state(w.state)}: {w.text}" for w in d["oldest_waiting"])
    return "\n".join(lines) + "\n"


def write_digest(digest: Digest, directory: str | Path) -> Path:
    """Write ``digest-YYYY-MM-DD.txt`` into ``directory``; returns its path."""
    target = Path(directory) / f"digest-{digest.day.isoformat()}.txt"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(digest.text, encoding="utf-8")
    except OSError as exc:
        msg = f"could not write the digest to {target}: {exc}"
        raise DigestError(msg) from exc
    return target


def send_email(digest: Digest, settings: Settings) -> None:
    """Send the digest to ``reports.digest_email`` through ``reports.smtp_host``."""
    reports = settings.reports
    if not reports.digest_email or not reports.smtp_host:
        msg = "reports.digest_email and reports.smtp_host are both needed to e-mail the digest"
        raise DigestError(msg)
    subject = DigestWords(digest.lang)("subject", operator=settings.operator.name, day=digest.day)
    mail_text(settings, reports.digest_email, subject, digest.text)


def mail_text(settings: Settings, to: str, subject: str, text: str) -> None:
    """E-mail ``text`` to ``to`` through ``reports.smtp_*`` (the digest, an emergency alert)."""
    reports = settings.reports
    if not reports.smtp_host:
        msg = "reports.smtp_host is needed to send e-mail"
        raise DigestError(msg)
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = reports.smtp_from
    mail["To"] = to
    mail.set_content(text)
    try:
        with smtplib.SMTP(reports.smtp_host, reports.smtp_port, timeout=30) as smtp:
            if reports.smtp_starttls:
                smtp.starttls()
            if reports.smtp_user and reports.smtp_password:
                smtp.login(reports.smtp_user, reports.smtp_password)
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        msg = f"could not e-mail {to} through {reports.smtp_host}:{reports.smtp_port}: {exc}"
        raise DigestError(msg) from exc


def send_telegram(digest: Digest, settings: Settings, *, client: httpx.Client | None = None) -> None:
    """Post the digest to ``reports.digest_telegram_chat`` with the Bot API's sendMessage."""
    chat = settings.reports.digest_telegram_chat
    if not chat or not settings.channels.telegram.token:
        msg = "reports.digest_telegram_chat and channels.telegram.token are both needed"
        raise DigestError(msg)
    telegram_text(settings, chat, digest.text, client=client)


def telegram_text(settings: Settings, chat: str, text: str, *, client: httpx.Client | None = None) -> None:
    """Post ``text`` to the Telegram chat ``chat`` through the Telegram adapter (a failure is a DigestError)."""
    if not settings.channels.telegram.token:
        msg = "channels.telegram.token is needed to post to a Telegram chat"
        raise DigestError(msg)
    try:
        post_text(settings.channels.telegram, chat, text, client=client)
    except ChannelError as exc:
        raise DigestError(str(exc)) from exc


class DigestJob:
    """The scheduled job: build yesterday's digest, write it, send it where configured."""

    def __init__(self, engine: Engine, settings: Settings, *, clock: Callable[[], datetime],
                 gtfs: GtfsIndex | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.gtfs = gtfs

    def __call__(self) -> Path:
        """Write (and send) the digest; a failed send is logged and does not stop the others."""
        digest = build_digest(self.engine, self.settings, now=self.clock(), gtfs=self.gtfs)
        path = write_digest(digest, self.settings.reports.digest_dir)
        reports = self.settings.reports
        senders: list[tuple[str, Callable[[], None]]] = []
        if reports.digest_email:
            senders.append(("e-mail", lambda: send_email(digest, self.settings)))
        if reports.digest_telegram_chat:
            senders.append(("Telegram", lambda: send_telegram(digest, self.settings)))
        for name, send in senders:
            try:
                send()
            except DigestError as exc:
                log.error("digest for %s not sent by %s: %s", digest.day, name, exc)
        log.info("digest for %s written to %s", digest.day, path)
        return path
