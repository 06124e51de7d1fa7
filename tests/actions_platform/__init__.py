"""Tests of the platform client (``actions/platform/``) and of ``actions/explain.py``."""
