"""Settings from the environment (CHAINHUB_*) and the command line; built only by the edges."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "duckdb:///chainhub.duckdb"


class Settings(BaseSettings):
    """Hub settings. Every field can be set as CHAINHUB_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="CHAINHUB_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="Database URL: duckdb:///path/file.duckdb or postgresql://user@host/db",
    )
    language: Literal["en", "zh"] = Field(default="en", description="Language of messages")
    host: str = Field(default="127.0.0.1", description="Address the server listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the server listens on")
    environment: Literal["dev", "demo", "production"] = Field(
        default="dev", description="dev and demo allow demo credentials; production does not"
    )
    data_dir: Path = Field(default=Path("."), description="Where the hub keeps its files")
    masterdata_auto_accept_threshold: float = Field(
        default=0.7,
        ge=0.0,
        le=1.0,
        description="Confidence above which a suggested material match is accepted and flagged",
    )
