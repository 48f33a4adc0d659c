"""Settings from the environment (CHAINHUB_*) and the command line; built only by the edges."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "duckdb:///chainhub.duckdb"
# Known to everyone, so accepted only in dev: outside dev the hub refuses to start with it.
DEV_AUDIT_KEY: Final = "chainhub-dev-audit-key"  # noqa: S105 - a published dev default


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
        default=0.9,
        ge=0.0,
        le=1.0,
        description="Confidence above which a suggested material match is accepted and flagged",
    )
    match_industries: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["appliances"],
        description="Industries whose synonym tables fold material descriptions before matching "
        "(besides the common one); comma-separated in the environment",
    )
    upload_max_bytes: int = Field(
        default=200 * 1024 * 1024,
        ge=1024,
        description="Largest file (and request) an upload may send, in bytes",
    )
    file_check_seconds: float = Field(
        default=300.0,
        gt=0,
        description="Seconds an uploaded file's reading and checking may take before it is "
        "stopped and the upload refused",
    )
    file_check_memory_mb: int = Field(
        default=4096,
        ge=1536,
        description="Address space, in MB, the process reading and checking one uploaded file "
        "may take (about 1 GB of it is the reader's own code and threads)",
    )
    file_check_workers: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Uploaded files read and checked at once, each in its own process",
    )
    capture_workers: int = Field(
        default_factory=lambda: len(os.sched_getaffinity(0)),
        ge=0,
        le=64,
        description="Worker processes that read, check and hash large EPCIS capture documents "
        "off the server process (one per core by default); 0 does it in the server process",
    )
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names or addresses webhooks may reach although they are private "
        "(loopback, internal networks); comma-separated in the environment",
    )
    audit_key: SecretStr = Field(
        default=SecretStr(DEV_AUDIT_KEY),
        description="Key authenticating audit entries and checkpoints; required outside dev",
    )
    audit_checkpoint_every: int = Field(
        default=1000,
        ge=1,
        description="Audit entries between two signed checkpoints of the chain head",
    )
    audit_checkpoint_seconds: float = Field(
        default=300.0,
        gt=0,
        description="Seconds after which new audit entries are anchored in a signed checkpoint "
        "even when fewer than audit_checkpoint_every have come",
    )
    audit_full_pass_minutes: float = Field(
        default=15.0,
        gt=0,
        description="Minutes after which the audit page recomputes the whole audit chain again; "
        "in between it recomputes only the entries after its last pass",
    )
    max_concurrent_requests: int = Field(
        default=24,
        ge=1,
        le=512,
        description="Requests the server works on at once; the others wait their turn",
    )
    queue_timeout: float = Field(
        default=5.0,
        gt=0,
        description="Seconds a request waits for its turn before the hub answers 503",
    )

    maintenance_minutes: int = Field(
        default=120,
        ge=1,
        le=7 * 24 * 60,
        description="A failure early warning keeps its machine out of the plan this long, for "
        "maintenance, from the warning on",
    )

    plan_volatility_absolute: Annotated[list[float], NoDecode] = Field(
        default_factory=lambda: [50.0, 100.0, 200.0],
        description="Change of one week's demand between two published versions, in units, from "
        "which a volatility alert is raised, for weeks 1-4, 5-13 and 14-26; comma-separated",
    )
    plan_volatility_relative: Annotated[list[float], NoDecode] = Field(
        default_factory=lambda: [0.1, 0.2, 0.3],
        description="Change of one week's demand relative to the previous version from which a "
        "volatility alert is raised (with the absolute one), for weeks 1-4, 5-13 and 14-26; "
        "comma-separated",
    )

    plan_service_level: float = Field(
        default=0.95,
        ge=0.5,
        le=0.9999,
        description="Chance of no stockout in a replenishment cycle that safety stocks and "
        "reorder points are set for",
    )
    plan_review_days: float = Field(
        default=7.0,
        gt=0,
        le=365,
        description="Days between reviews (the R of (R, S)) and the DDMRP order cycle of a buffer",
    )

    @field_validator("plan_volatility_absolute", "plan_volatility_relative", mode="before")
    @classmethod
    def _three_numbers(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [float(v) for v in value.split(",") if v.strip()]
        return value

    @field_validator("plan_volatility_absolute", "plan_volatility_relative")
    @classmethod
    def _one_per_sub_horizon(cls, value: list[float]) -> list[float]:
        if len(value) != 3 or min(value) < 0:
            raise ValueError("give three non-negative numbers: weeks 1-4, 5-13 and 14-26")
        return value

    @field_validator("webhook_allowed_hosts", "match_industries", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [host.strip().lower() for host in value.split(",") if host.strip()]
        return value

    @model_validator(mode="after")
    def _no_default_secret_outside_dev(self) -> Self:
        key = self.audit_key.get_secret_value()
        if self.environment != "dev" and (key == DEV_AUDIT_KEY or len(key) < 16):
            raise ValueError(
                f"CHAINHUB_AUDIT_KEY must be set to a secret of 16 characters or more in "
                f"{self.environment} / {self.environment} 环境必须设置至少 16 个字符的 "
                "CHAINHUB_AUDIT_KEY"
            )
        return self
