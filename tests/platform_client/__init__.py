"""Tests of the platform client (``platform_client/``) and of ``actions/explain.py``."""
