"""Helpers shared by tests of several layers (importable because pytest puts tests/ on the path)."""
