"""Prime Distribution: a desktop back-office for a multi-channel shop."""

__version__ = "0.1.0"
