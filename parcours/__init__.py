"""Parcours: cross-channel customer journey analytics on an embedded warehouse."""

__version__ = "0.1.0"
