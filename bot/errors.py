"""The project's exception tree: one root, specific subclasses."""


class SportelloError(Exception):
    """Root of every error sportello raises on purpose."""


class ConfigError(SportelloError):
    """The configuration is missing, malformed or names an unknown thing."""


class StorageError(SportelloError):
    """The database refused an operation or is in an unexpected state."""


class InvalidTransition(StorageError):
    """A message was asked to move to a state its current state does not allow."""


class PrivacyError(SportelloError):
    """A request about a citizen's personal data is malformed or cannot be carried out."""


class ChannelError(SportelloError):
    """A channel adapter could not talk to its platform."""


class ChannelAuthError(ChannelError):
    """The platform rejected our credentials (401/403): the channel must stop."""


class OutcomeUnknown(ChannelError):
    """A post timed out: the platform may or may not have delivered it."""


class RecipientGone(ChannelError):
    """The platform refuses to deliver to this person (they blocked the bot, or deleted their account)."""


class BadInput(SportelloError):
    """A request's content cannot be accepted as sent (wrong shape, too deep, unstorable text)."""
