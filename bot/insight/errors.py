"""Errors the insight reports raise on purpose."""

from bot.errors import SportelloError


class InsightError(SportelloError):
    """A report was asked for something it cannot give (bad period, unknown route, ...)."""


class DigestError(InsightError):
    """The daily digest could not be written or sent."""
