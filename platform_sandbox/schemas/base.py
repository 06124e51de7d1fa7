"""Base class of request bodies: a JSON object, nothing that merely converts to one."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.errors import DictError


class RequestBody(BaseModel):
    """A request body that must be a JSON object.

    Pydantic 1 would turn any ``dict()``-able value into a model, so that
    ``[["bill_id", "EB1"], ["payer", "self"]]`` passed as a payment; here it is refused.
    """

    @classmethod
    def validate(cls, value: Any) -> Any:
        """Refuse anything that is not a mapping or an instance of the model."""
        if not isinstance(value, dict | cls):
            raise DictError()
        return super().validate(value)
