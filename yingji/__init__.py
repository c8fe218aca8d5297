"""Yingji (应急): technology emergency management."""

__version__ = "0.1.0"
