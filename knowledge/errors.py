"""Errors raised by the knowledge package (static GTFS, realtime feeds, alerts)."""

from bot.errors import SportelloError


class KnowledgeError(SportelloError):
    """Root of the errors the knowledge package raises on purpose."""


class GtfsError(KnowledgeError):
    """A static GTFS feed is missing, unreadable or lacks a required file or column."""


class FeedError(KnowledgeError):
    """A GTFS-Realtime feed could not be fetched or parsed."""
