"""tweepy's Client pointed at the configured base URL, with X's failures sorted into our errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter

from bot.channels.backoff import Backoff, Sleep
from bot.channels.ledger import ChannelLedger
from bot.config import XChannelSettings
from bot.errors import ChannelAuthError, ChannelError
from bot.ops.call_errors import CallFailure, record_call_error

log = logging.getLogger(__name__)

#: The channel's name, as the call-error count labels it.
CHANNEL = "x"
#: Where tweepy sends every request; the adapter below rewrites it to the configured base URL.
X_HOST = "https://api.twitter.com"

#: Fields a care bot needs on every post it reads.
TWEET_FIELDS = [
    "author_id",
    "conversation_id",
    "created_at",
    "in_reply_to_user_id",
    "lang",
    "referenced_tweets",
]
USER_FIELDS = ["username", "name"]
DM_FIELDS = ["id", "text", "event_type", "created_at", "dm_conversation_id", "sender_id", "attachments"]


class XRateLimited(ChannelError):
    """X answered 429; nothing was done and the limit resets at ``reset_at``."""

    def __init__(self, endpoint: str, reset_at: datetime | None) -> None:
        super().__init__(f"x: rate limit reached on {endpoint} until {reset_at}")
        self.endpoint = endpoint
        self.reset_at = reset_at


class XUnavailable(ChannelError):
    """X kept failing with 5xx or timeouts for a call that was safe to repeat."""


class XAmbiguous(ChannelError):
    """A post failed in a way that does not say whether X created it (timeout, 5xx)."""


class XRejected(ChannelError):
    """X refused the request for a reason other than credentials (bad request, not allowed)."""


class XDuplicate(XRejected):
    """X refused a post as a duplicate of one already on the account."""


class BaseUrlAdapter(HTTPAdapter):
    """Sends requests addressed to api.twitter.com to ``base_url`` (a proxy or a test server).

    The OAuth 1.0a signature is computed by tweepy over the api.twitter.com URL before the
    adapter runs, so a proxy that forwards the request unchanged keeps it valid. Requests
    get ``timeout`` when the caller gave none (tweepy never does).
    """

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if request.url and request.url.startswith(X_HOST) and self.base_url != X_HOST:
            request.url = self.base_url + request.url[len(X_HOST) :]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def make_client(settings: XChannelSettings) -> tweepy.Client:
    """A tweepy Client with OAuth 1.0a user-context keys, answering with raw responses."""
    client = tweepy.Client(
        bearer_token=settings.bearer_token,
        consumer_key=settings.consumer_key,
        consumer_secret=settings.consumer_secret,
        access_token=settings.access_token,
        access_token_secret=settings.access_token_secret,
        return_type=requests.Response,
        wait_on_rate_limit=False,
    )
    client.session.mount(X_HOST, BaseUrlAdapter(settings.base_url, settings.timeout_seconds))
    return client


@dataclass
class RateWindow:
    """What X's x-rate-limit headers said last about one endpoint."""

    remaining: int | None = None
    reset_at: datetime | None = None
    next_at: datetime | None = None


@dataclass
class XApi:
    """Calls through tweepy, counted, retried when safe, and sorted into sportello's errors."""

    client: tweepy.Client
    ledger: ChannelLedger
    clock: Callable[[], datetime]
    sleep: Sleep
    backoff: Backoff
    windows: dict[str, RateWindow] = field(default_factory=dict)

    def call(self, endpoint: str, method: Callable[..., Any], *, repeatable: bool, **params: Any) -> dict[str, Any]:
        """Call a tweepy method and return the JSON body.

        ``repeatable`` calls (reads) are retried on 5xx and timeouts; others raise
        :class:`XAmbiguous` at the first such failure so the caller can reconcile.
        """
        attempt = 0
        while True:
            try:
                return self._once(endpoint, method, repeatable=repeatable, **params)
            except XUnavailable:
                if not repeatable or attempt >= self.backoff.retries:
                    raise
                delay = self.backoff.delay(attempt)
                attempt += 1
                log.info("x: %s failed, retry %d in %.1fs", endpoint, attempt, delay)
                self.sleep(delay)

    def _once(self, endpoint: str, method: Callable[..., Any], *, repeatable: bool, **params: Any) -> dict[str, Any]:
        self.ledger.count(calls=1)
        try:
            response: requests.Response = method(**params)
        except tweepy.TooManyRequests as exc:
            record_call_error(CHANNEL, CallFailure.RATE_LIMITED)
            self._remember(endpoint, exc.response)
            raise XRateLimited(endpoint, self.windows[endpoint].reset_at) from exc
        except tweepy.Unauthorized as exc:
            record_call_error(CHANNEL, CallFailure.AUTH)
            raise ChannelAuthError(f"x: credentials rejected on {endpoint} (401): {_detail(exc)}") from exc
        except tweepy.Forbidden as exc:
            refusal = _forbidden(endpoint, exc, reading=repeatable)
            auth = isinstance(refusal, ChannelAuthError)
            record_call_error(CHANNEL, CallFailure.AUTH if auth else CallFailure.REFUSED)
            raise refusal from exc
        except tweepy.TwitterServerError as exc:
            record_call_error(CHANNEL, CallFailure.UNAVAILABLE)
            error: type[ChannelError] = XUnavailable if repeatable else XAmbiguous
            raise error(f"x: {endpoint} failed with {_detail(exc)}") from exc
        except (tweepy.BadRequest, tweepy.NotFound, tweepy.HTTPException) as exc:
            record_call_error(CHANNEL, CallFailure.REFUSED)
            raise XRejected(f"x: {endpoint} refused: {_detail(exc)}") from exc
        except (requests.Timeout, requests.ConnectionError) as exc:
            timeout = isinstance(exc, requests.Timeout)
            record_call_error(CHANNEL, CallFailure.TIMEOUT if timeout else CallFailure.UNAVAILABLE)
            error = XUnavailable if repeatable else XAmbiguous
            raise error(f"x: {endpoint} got no answer: {exc.__class__.__name__}") from exc
        self._remember(endpoint, response)
        return dict(response.json())

    def _remember(self, endpoint: str, response: Any) -> None:
        headers = getattr(response, "headers", {}) or {}
        window = self.windows.setdefault(endpoint, RateWindow())
        remaining = headers.get("x-rate-limit-remaining")
        reset = headers.get("x-rate-limit-reset")
        window.remaining = int(remaining) if remaining and remaining.isdigit() else None
        window.reset_at = (
            datetime.fromtimestamp(int(reset), timezone.utc) if reset and reset.isdigit() else None
        )
        window.next_at = _spread(self.clock(), window)

    def not_before(self, endpoint: str) -> datetime | None:
        """The earliest time ``endpoint`` may be called again without running out of calls."""
        window = self.windows.get(endpoint)
        return window.next_at if window else None


def _spread(now: datetime, window: RateWindow) -> datetime | None:
    """Calls spread evenly over what is left of the window: ``r`` calls in ``s`` seconds, one per ``s/r``."""
    if window.reset_at is None or window.remaining is None:
        return None
    if window.remaining <= 0:
        return window.reset_at
    if window.reset_at <= now:
        return None
    return now + (window.reset_at - now) / window.remaining


def _detail(exc: tweepy.HTTPException) -> str:
    status = getattr(exc.response, "status_code", "?")
    messages = "; ".join(str(m) for m in exc.api_messages) or str(exc)
    return f"{status} {messages}".strip()


def _forbidden(endpoint: str, exc: tweepy.Forbidden, *, reading: bool) -> ChannelError:
    text = " ".join(str(m) for m in exc.api_messages).lower() + " " + str(exc).lower()
    if "duplicate" in text:
        return XDuplicate(f"x: {endpoint}: duplicate content")
    credentials = ("oauth", "permission", "suspended", "not permitted to use", "client-not-enrolled", "enrolled")
    if reading or any(word in text for word in credentials):
        return ChannelAuthError(f"x: access refused on {endpoint} (403): {_detail(exc)}")
    return XRejected(f"x: {endpoint} not allowed: {_detail(exc)}")
