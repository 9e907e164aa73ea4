"""A local X API v2 server on 127.0.0.1: the endpoints sportello uses, OAuth 1.0a checked, faults on demand."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from oauthlib.oauth1.rfc5849 import signature, utils

from tests.bot.channels import http_fake

X_HOST = "https://api.twitter.com"
CONSUMER_KEY = "ck-test"
CONSUMER_SECRET = "cs-test"
ACCESS_TOKEN = "1000-at-test"
ACCESS_TOKEN_SECRET = "ats-test"
ME = {"id": "1000", "username": "sportello_tpl", "name": "Sportello TPL"}
_URL = re.compile(r"https?://\S+")


@dataclass
class Fault:
    """A scripted failure for the next ``times`` requests matching ``method`` and ``path``."""

    method: str
    path: str
    status: int = 500
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    #: Handle the request for real, then hold the answer this many seconds (a lost response).
    stall_after_accept: float = 0.0


class FakeX:
    """State of the fake platform: users, posts, DMs, and every request seen."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.ids = itertools.count(1_860_000_000_000_000_000)
        self.users: dict[str, dict[str, Any]] = {ME["id"]: dict(ME)}
        self.tweets: dict[str, dict[str, Any]] = {}
        self.mention_ids: list[str] = []
        self.dm_events: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.rate_remaining = 10_000
        self.server: ThreadingHTTPServer | None = None

    # -- test helpers ---------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def user(self, user_id: str, username: str) -> None:
        self.users[user_id] = {"id": user_id, "username": username, "name": username.title()}

    def _next_id(self) -> str:
        return str(next(self.ids))

    def mention(
        self,
        text: str,
        *,
        author: str = "2001",
        reply_to: str | None = None,
        referenced: list[dict[str, str]] | None = None,
        at: datetime | None = None,
    ) -> str:
        """A citizen's post mentioning the account; returns its id."""
        with self.lock:
            tweet_id = self._next_id()
            self.users.setdefault(author, {"id": author, "username": f"citizen{author}", "name": f"Citizen {author}"})
            conversation = tweet_id
            refs = list(referenced or [])
            if reply_to:
                conversation = self.tweets[reply_to]["conversation_id"]
                refs.append({"type": "replied_to", "id": reply_to})
            tweet = {
                "id": tweet_id,
                "text": html.escape(text, quote=False),
                "author_id": author,
                "conversation_id": conversation,
                "created_at": _stamp(at or self.clock()),
                "lang": "it",
            }
            if refs:
                tweet["referenced_tweets"] = refs
            self.tweets[tweet_id] = tweet
            self.mention_ids.append(tweet_id)
            return tweet_id

    def dm(self, text: str, *, sender: str = "2001", at: datetime | None = None) -> str:
        """A DM from a citizen to the account; returns the event id."""
        with self.lock:
            self.users.setdefault(sender, {"id": sender, "username": f"citizen{sender}", "name": f"Citizen {sender}"})
            event_id = self._next_id()
            self.dm_events.append(
                {
                    "id": event_id,
                    "event_type": "MessageCreate",
                    "text": text,
                    "sender_id": sender,
                    "dm_conversation_id": _conversation(sender, ME["id"]),
                    "created_at": _stamp(at or self.clock()),
                }
            )
            return event_id

    def posted(self) -> list[dict[str, Any]]:
        """Posts created by the account, oldest first."""
        return [t for t in self.tweets.values() if t["author_id"] == ME["id"]]

    def sent_dms(self) -> list[dict[str, Any]]:
        return [e for e in self.dm_events if e["sender_id"] == ME["id"]]

    def fail(self, method: str, path: str, status: int = 500, **kwargs: Any) -> Fault:
        fault = Fault(method, path, status, **kwargs)
        self.faults.append(fault)
        return fault

    def calls(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.requests if m == method and path in p)

    # -- server ---------------------------------------------------------------------------
    def start(self) -> FakeX:
        self.server = http_fake.serve(self.handle)
        return self

    def stop(self) -> None:
        http_fake.stop(self.server)

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(request.path)
        query = dict(parse_qsl(parts.query))
        length = int(request.headers.get("Content-Length") or 0)
        body = json.loads(request.rfile.read(length) or b"{}") if length else {}
        with self.lock:
            self.requests.append((method, parts.path, query))
        if not self._signed(request, method, parts.path, parts.query):
            return self._send(request, 401, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401})
        fault = self._fault(method, parts.path)
        if fault is not None and not fault.stall_after_accept:
            payload = fault.body or {"title": "Error", "detail": f"injected {fault.status}", "status": fault.status}
            return self._send(request, fault.status, payload, fault.headers)
        status, payload = self.route(method, parts.path, query, body)
        if fault is not None:
            time.sleep(fault.stall_after_accept)
        self._send(request, status, payload)

    def _fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.method == method and fault.path in path:
                    fault.times -= 1
                    return fault
        return None

    def _signed(self, request: BaseHTTPRequestHandler, method: str, path: str, query: str) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("OAuth "):
            return False
        oauth = dict(utils.parse_authorization_header(header))
        if oauth.get("oauth_consumer_key") != CONSUMER_KEY or oauth.get("oauth_token") != ACCESS_TOKEN:
            return False
        params = signature.collect_parameters(uri_query=query, headers={"Authorization": header})
        base = signature.signature_base_string(
            method, signature.base_string_uri(X_HOST + path), signature.normalize_parameters(params)
        )
        key = f"{utils.escape(CONSUMER_SECRET)}&{utils.escape(ACCESS_TOKEN_SECRET)}"
        expected = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
        return hmac.compare_digest(expected, unquote(oauth.get("oauth_signature", "")))

    def _send(self, request: BaseHTTPRequestHandler, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        reset = int((self.clock() + timedelta(minutes=15)).timestamp())
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json; charset=utf-8")
            request.send_header("Content-Length", str(len(data)))
            limits = {
                "x-rate-limit-limit": "180",
                "x-rate-limit-remaining": str(self.rate_remaining if status != 429 else 0),
                "x-rate-limit-reset": str(reset),
                **(headers or {}),
            }
            for key, value in limits.items():
                request.send_header(key, value)
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: exactly the case a stall simulates

    # -- endpoints ------------------------------------------------------------------------
    def route(self, method: str, path: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if method == "GET" and path == "/2/users/me":
                return 200, {"data": dict(ME)}
            if method == "GET" and re.fullmatch(r"/2/users/\d+/mentions", path):
                return 200, self._page([self.tweets[i] for i in self.mention_ids], query)
            if method == "GET" and re.fullmatch(r"/2/users/\d+/tweets", path):
                return 200, self._page(self.posted(), query)
            if method == "POST" and path == "/2/tweets":
                return self._create_tweet(body)
            if method == "GET" and path == "/2/dm_events":
                return 200, self._page(self.dm_events, query)
            match = re.fullmatch(r"/2/dm_conversations/((?:with/)?[^/]+)/(dm_events|messages)", path)
            if match and method == "GET":
                wanted = match.group(1)
                if wanted.startswith("with/"):
                    wanted = _conversation(wanted.split("/", 1)[1], ME["id"])
                events = [e for e in self.dm_events if e["dm_conversation_id"] == wanted]
                return 200, self._page(events, query)
            if match and method == "POST":
                return self._send_dm(match.group(1), body)
        return 404, {"title": "Not Found", "detail": path, "status": 404}

    def _page(self, items: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
        chosen = sorted(items, key=lambda t: int(t["id"]), reverse=True)
        if "since_id" in query:
            chosen = [t for t in chosen if int(t["id"]) > int(query["since_id"])]
        if "start_time" in query:
            chosen = [t for t in chosen if t["created_at"] >= query["start_time"].replace("Z", ".000Z")]
        if "pagination_token" in query:
            chosen = [t for t in chosen if int(t["id"]) < int(query["pagination_token"])]
        size = int(query.get("max_results", 10))
        page, rest = chosen[:size], chosen[size:]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if rest:
            meta["next_token"] = page[-1]["id"]
        payload: dict[str, Any] = {"meta": meta}
        if page:
            payload["data"] = [{k: v for k, v in t.items() if not k.startswith("_")} for t in page]
            authors = {t.get("author_id") or t.get("sender_id") for t in page}
            payload["includes"] = {"users": [self.users[a] for a in authors if a in self.users]}
        return payload

    def _create_tweet(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        text = body.get("text", "")
        parent = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        for tweet in self.posted():
            if html.unescape(tweet["text"]).endswith(text) and tweet.get("_parent") == parent:
                return 403, {"title": "Forbidden", "status": 403,
                             "detail": "You are not allowed to create a Tweet with duplicate content."}
        tweet_id = self._next_id()
        shown = _URL.sub("https://t.co/AbCdEfGhIj", html.escape(text, quote=False))
        tweet: dict[str, Any] = {"id": tweet_id, "author_id": ME["id"], "created_at": _stamp(self.clock()), "lang": "it"}
        if parent:
            original = self.tweets[parent]
            handle = self.users.get(original["author_id"], {}).get("username")
            if handle and original["author_id"] != ME["id"]:
                shown = f"@{handle} {shown}"
            tweet["conversation_id"] = original["conversation_id"]
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent}]
            tweet["in_reply_to_user_id"] = original["author_id"]
        else:
            tweet["conversation_id"] = tweet_id
        tweet["text"] = shown
        tweet["_parent"] = parent
        self.tweets[tweet_id] = tweet
        return 201, {"data": {"id": tweet_id, "text": shown, "edit_history_tweet_ids": [tweet_id]}}

    def _send_dm(self, target: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        conversation = target
        if target.startswith("with/"):
            conversation = _conversation(target.split("/", 1)[1], ME["id"])
        event_id = self._next_id()
        self.dm_events.append(
            {
                "id": event_id,
                "event_type": "MessageCreate",
                "text": body.get("text", ""),
                "sender_id": ME["id"],
                "dm_conversation_id": conversation,
                "created_at": _stamp(self.clock()),
            }
        )
        return 201, {"data": {"dm_conversation_id": conversation, "dm_event_id": event_id}}


def _stamp(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _conversation(a: str, b: str) -> str:
    low, high = sorted((a, b), key=int)
    return f"{low}-{high}"
