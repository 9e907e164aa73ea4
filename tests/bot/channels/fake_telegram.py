"""A local Telegram Bot API server on 127.0.0.1: getUpdates, sendMessage, webhooks, faults on demand."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.bot.channels import http_fake

TOKEN = "123456:TEST-token"
BOT = {"id": 123456, "is_bot": True, "first_name": "Sportello", "username": "sportello_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
NOW = 1_795_800_000


@dataclass
class Fault:
    """The next ``times`` calls of ``method`` fail with ``status`` (and retry_after, if set)."""

    method: str
    status: int
    times: int = 1
    retry_after: int | None = None
    description: str = "Internal Server Error"


class FakeTelegram:
    """State of the fake Bot API: pending updates, sent messages, the webhook, every call seen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.update_ids = itertools.count(700_000)
        self.message_ids = itertools.count(1)
        self.updates: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.faults: list[Fault] = []
        self.webhook = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        self.server: ThreadingHTTPServer | None = None

    # -- test helpers ---------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/bot"

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update of type ``kind`` (message, edited_message, ...); returns it."""
        with self.lock:
            update = {"update_id": next(self.update_ids), kind: payload}
            self.updates.append(update)
            return update

    def message(
        self,
        text: str | None = None,
        *,
        chat_id: int = 5001,
        user_id: int = 5001,
        chat_type: str = "private",
        lang: str = "it",
        message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        reply_to: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A message payload from a citizen (not queued: pass it to :meth:`push`)."""
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Giulia"
        else:
            chat["title"] = "Pendolari Roma"
        payload: dict[str, Any] = {
            "message_id": message_id or next(self.message_ids),
            "date": NOW,
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": "Giulia", "username": f"giulia{user_id}",
                     "language_code": lang},
            **extra,
        }
        if text is not None:
            payload["text"] = text
        if entities:
            payload["entities"] = entities
        if reply_to:
            payload["reply_to_message"] = reply_to
        return payload

    def fail(self, method: str, status: int = 500, **kwargs: Any) -> None:
        self.faults.append(Fault(method, status, **kwargs))

    def called(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    # -- server ---------------------------------------------------------------------------
    def start(self) -> FakeTelegram:
        self.server = http_fake.serve(lambda request, _method: self.handle(request))
        return self

    def stop(self) -> None:
        http_fake.stop(self.server)

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = urlsplit(request.path).path
        prefix, _, method = path.rpartition("/")
        if prefix != f"/bot{TOKEN}":
            return self._send(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length).decode() if length else ""
        if "json" in (request.headers.get("Content-Type") or ""):
            params = json.loads(raw or "{}")
        else:
            params = {k: v if k == "text" else _value(v) for k, v in parse_qsl(raw)}
        with self.lock:
            self.calls.append((method, params))
            fault = next((f for f in self.faults if f.method == method and f.times > 0), None)
            if fault:
                fault.times -= 1
        if fault:
            body: dict[str, Any] = {"ok": False, "error_code": fault.status, "description": fault.description}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
                body["description"] = f"Too Many Requests: retry after {fault.retry_after}"
            return self._send(request, fault.status, body)
        status, result = self.route(method, params)
        if status != 200:
            return self._send(request, status, {"ok": False, "error_code": status, "description": result})
        self._send(request, 200, {"ok": True, "result": result})

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def route(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        with self.lock:
            if method == "getMe":
                return 200, BOT
            if method == "getUpdates":
                offset = int(params.get("offset") or 0)
                if offset:
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]
                return 200, self.updates[: int(params.get("limit") or 100)]
            if method == "sendMessage":
                if len(str(params.get("text", "")).encode("utf-16-le")) // 2 > 4096:
                    return 400, "Bad Request: message is too long"
                return 200, self._sent(params)
            if method == "getWebhookInfo":
                return 200, dict(self.webhook)
            if method == "setWebhook":
                self.webhook["url"] = params.get("url", "")
                self.webhook["secret_token"] = params.get("secret_token")
                return 200, True
            if method == "deleteWebhook":
                self.webhook["url"] = ""
                return 200, True
            if method in ("answerCallbackQuery", "close", "logOut"):
                return 200, True
        return 404, "Not Found: method not found"

    def _sent(self, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        message = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT,
            "text": text,
        }
        self.sent.append({**params, "message_id": message["message_id"]})
        return message


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw
