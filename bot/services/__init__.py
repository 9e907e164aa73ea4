"""One desk, several services: each message is routed to its service (a city's buses, water, waste), then read
with that service's knowledge; a message no service clearly claims waits for a person."""

from bot.services.choice import SERVICE_EXTRA, UNDECIDED, ChoiceBasis, ServiceChoice, ServiceChooser
from bot.services.desk import Service, ServiceDesk, build_desk

__all__ = ["SERVICE_EXTRA", "UNDECIDED", "ChoiceBasis", "Service", "ServiceChoice", "ServiceChooser", "ServiceDesk", "build_desk"]
