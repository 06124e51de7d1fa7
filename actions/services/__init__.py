"""The services as conversations: one module per service (or per family of services).

Every module of this package that defines ``SERVICES`` (a tuple of
:class:`~actions.services.base.Service` subclasses) is found here, so adding a service is
adding a module. :func:`by_intent` and :func:`by_code` look them up.
"""

from __future__ import annotations

import importlib
import pkgutil

from actions.services.base import Service


def _discover() -> tuple[Service, ...]:
    found: list[Service] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name == "base":
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        found.extend(cls() for cls in getattr(loaded, "SERVICES", ()))
    return tuple(found)


SERVICES: tuple[Service, ...] = _discover()
_BY_INTENT = {service.intent: service for service in SERVICES}
_BY_CODE = {service.code: service for service in SERVICES}
ASKED_SLOTS: tuple[str, ...] = tuple(dict.fromkeys(s for sv in SERVICES for s in sv.asked))
"""Every question of every service (each has an ``action_ask_<slot>``)."""
ALL_SERVICE_SLOTS: tuple[str, ...] = tuple(
    dict.fromkeys([*ASKED_SLOTS, *(s for sv in SERVICES for s in sv.kept)])
)
"""Every slot a service asks or looks up: cleared when a service starts."""


def by_intent(intent: str) -> Service | None:
    """The service an intent starts."""
    return _BY_INTENT.get(intent)


def by_code(code: str) -> Service | None:
    """The service with the platform's ``code``."""
    return _BY_CODE.get(code)
