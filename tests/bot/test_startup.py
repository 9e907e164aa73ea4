"""``sportello run``'s start: /health says starting and other requests wait until the application is built."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import Future
from typing import Any

from bot.startup import StartingApp


async def _built(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The built application: answers 200 with the path it was asked."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": scope["path"].encode()})


def _request(app: StartingApp, path: str) -> asyncio.Task[list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def call() -> list[dict[str, Any]]:
        await app({"type": "http", "path": path, "method": "GET"}, receive, send)
        return sent

    return asyncio.ensure_future(call())


def test_health_says_starting_before_the_application_is_built() -> None:
    async def scenario() -> list[dict[str, Any]]:
        return await _request(StartingApp(Future()), "/health")

    start, body = asyncio.run(scenario())
    assert start["status"] == 503
    assert json.loads(body["body"]) == {"ok": False, "status": "starting", "components": {}}


def test_a_request_sent_while_building_is_answered_by_the_built_application() -> None:
    built: Future[Any] = Future()

    async def scenario() -> tuple[bool, list[dict[str, Any]]]:
        held = _request(StartingApp(built), "/api/chat")
        await asyncio.sleep(0)  # the request has reached the wait
        waited = not held.done()
        built.set_result(_built)
        return waited, await held

    waited, (start, body) = asyncio.run(scenario())
    assert waited
    assert (start["status"], body["body"]) == (200, b"/api/chat")


def test_every_request_goes_to_the_built_application_once_built() -> None:
    built: Future[Any] = Future()
    built.set_result(_built)

    async def scenario() -> list[dict[str, Any]]:
        return await _request(StartingApp(built), "/health")

    start, body = asyncio.run(scenario())
    assert (start["status"], body["body"]) == (200, b"/health")


def test_a_failed_build_answers_503_to_a_waiting_request() -> None:
    built: Future[Any] = Future()
    built.set_exception(RuntimeError("the GTFS folder is missing"))

    async def scenario() -> list[dict[str, Any]]:
        return await _request(StartingApp(built), "/api/chat")

    start, _ = asyncio.run(scenario())
    assert start["status"] == 503
    assert (b"retry-after", b"5") in start["headers"]
