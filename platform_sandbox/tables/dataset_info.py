"""Which synthetic dataset the database holds: its seed and the day it was laid out around."""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer

from .base import Base


class DatasetInfo(Base):
    """One row, written with the data: a reset or a start on another day lays the data out
    anew around that day (:mod:`platform_sandbox.seed`)."""

    __tablename__ = "dataset_info"

    id = Column(Integer, primary_key=True)  # always 1
    seed = Column(Integer, nullable=False)
    today = Column(Date, nullable=False)
