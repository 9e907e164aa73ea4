"""Channel adapters: the only code that talks to X, Telegram or the web chat."""

from bot.channels.base import CHANNELS, Channel, ChannelContext, register

__all__ = ["CHANNELS", "Channel", "ChannelContext", "register", "load_builtin_channels"]


def load_builtin_channels() -> None:
    """Import the built-in adapters so they register themselves by name."""
    import importlib

    for name in ("web", "x", "telegram"):
        try:
            importlib.import_module(f"bot.channels.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bot.channels.{name}":
                raise
