"""The HTTP side of sportello: the web chat, its JSON API and the agents' console."""
