"""Sandbox-only helpers (``/v1/sandbox``); the app mounts them only when enabled."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from ..deps import ConfigDep, DatabaseDep
from ..schemas.errors import error_responses
from ..schemas.payments import PaymentOut
from ..seed import reset_to_seed
from ..services.payments import complete_payment

router = APIRouter(prefix="/sandbox", tags=["sandbox"])


class ResetOut(BaseModel):
    """What a reset loaded."""

    seed: int
    students: int
    bills: int


@router.post(
    "/payments/{payment_id}/complete",
    response_model=PaymentOut,
    response_model_exclude_none=True,
    responses=error_responses(401, 404, 409),
)
def post_complete_payment(payment_id: str, database: DatabaseDep) -> PaymentOut:
    """Act as the payer's payment app: the payment and its bill become paid."""
    with database.writing() as session:
        return complete_payment(session=session, payment_id=payment_id)


@router.post("/reset", response_model=ResetOut, responses=error_responses(401))
def post_reset(database: DatabaseDep, config: ConfigDep) -> ResetOut:
    """Drop all data (payments, idempotency keys …) and reload the seed's dataset."""
    dataset = reset_to_seed(database=database, seed=config.seed)
    return ResetOut(seed=config.seed, students=len(dataset.students), bills=len(dataset.bills))
