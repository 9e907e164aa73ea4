"""What every channel adapter provides, and the registry adapters join by name."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Engine

from bot.config import Settings
from bot.domain import OutboundReply, PostResult
from storage.queue import MessageQueue


@dataclass
class ChannelContext:
    """What an adapter may use: settings, the queue, the database and the clock."""

    settings: Settings
    queue: MessageQueue
    engine: Engine
    clock: Callable[[], datetime]


class Channel(ABC):
    """One platform citizens write on.

    ``poll`` brings new messages into the queue (and only then moves the cursor on);
    ``post`` publishes a reply; ``find_posted`` looks for a reply whose posting outcome is
    unknown, so a retry never answers twice.
    """

    name: ClassVar[str]
    #: Seconds between polls, or None when the platform pushes to us.
    poll_seconds: float | None = None
    #: Posting is a write in sportello's own database (the web chat): ``post`` calls nothing
    #: outside it, so a reply is posted in the same transaction as its decision and there is
    #: no outcome to reconcile after a crash.
    posts_in_database: ClassVar[bool] = False

    def __init__(self, context: ChannelContext) -> None:
        self.context = context

    @classmethod
    def enabled(cls, settings: Settings) -> bool:
        """Whether the configuration switches this channel on."""
        return False

    def start(self) -> None:
        """Prepare to run (check credentials, register webhooks)."""

    def stop(self) -> None:
        """Release what ``start`` took."""

    def poll(self) -> int:
        """Fetch new messages into the queue; return how many were stored."""
        return 0

    @abstractmethod
    def post(self, reply: OutboundReply) -> PostResult:
        """Publish ``reply`` on the platform."""

    def take_turn(self, reply: OutboundReply) -> None:
        """Wait until the platform's pace lets ``reply`` go; this thread's next ``post`` of it then
        leaves at once. A sender that records "the call is under way" after its turn, not before,
        leaves nothing in doubt when it dies while waiting. Nothing to wait for by default."""

    def find_posted(self, reply: OutboundReply) -> PostResult | None:
        """The posted copy of ``reply`` if it reached the platform, else None.

        Raises NotImplementedError when the platform cannot be asked, in which case the
        reply goes to a person rather than risk answering twice.
        """
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """Health and usage figures for the console."""
        return {"name": self.name}


CHANNELS: dict[str, type[Channel]] = {}


def register(cls: type[Channel]) -> type[Channel]:
    """Class decorator: make an adapter known by its ``name``."""
    CHANNELS[cls.name] = cls
    return cls
