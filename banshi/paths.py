"""Where the project's files are, independent of the working directory."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.yml"
BOT_DIR = ROOT / "bot"
DOMAIN_DIR = BOT_DIR / "domain"
DIALOGUE_DATA_DIR = BOT_DIR / "data"
NLU_DIR = ROOT / "nlu_data"
NLU_CODE_DIRS = (ROOT / "nlu", ROOT / "zhtext")
"""Our NLU components and the Chinese text helpers they use: the model is trained with them."""
ENDPOINTS_DIR = BOT_DIR / "endpoints"
CREDENTIALS = BOT_DIR / "credentials.yml"
