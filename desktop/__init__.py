"""Vigil: offline workstation for child-victim identification from seized images."""

__version__ = "0.1.0"
