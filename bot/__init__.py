"""sportello: a customer-care bot for public-service utilities."""

__version__ = "0.1.0"
