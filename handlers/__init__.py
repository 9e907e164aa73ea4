"""Handlers: one per intent, each turning a routing decision into a reply in the citizen's language."""

from handlers.base import HandlerContext, ReplyWriter

__all__ = ["HandlerContext", "ReplyWriter"]
