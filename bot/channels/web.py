"""The built-in web chat: messages arrive over HTTP, replies are read back over HTTP."""

from __future__ import annotations

from bot.channels.base import Channel, register
from bot.config import Settings
from bot.domain import OutboundReply, PostResult


@register
class WebChannel(Channel):
    """Posting a web-chat reply is making it visible in the conversation, in the database."""

    name = "web"
    posts_in_database = True

    @classmethod
    def enabled(cls, settings: Settings) -> bool:
        return settings.channels.web.enabled

    def post(self, reply: OutboundReply) -> PostResult:
        return PostResult((f"web-reply-{reply.reply_id}",))

    def find_posted(self, reply: OutboundReply) -> PostResult | None:
        # Nothing leaves the database, so an unfinished post was never seen by anyone.
        return None
