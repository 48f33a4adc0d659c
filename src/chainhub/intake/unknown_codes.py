"""Partner codes without a crosswalk, recorded with their description and unit for review."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.intake.models import unknown_codes
from chainhub.intake.schemas import CodeStatus


def do_record_unknown_codes(
    *,
    conn: Connection,
    partner_id: str,
    codes: pl.DataFrame,
    submission_ref: str,
    seen_at: datetime | None = None,
) -> int:
    """Record codes that failed the crosswalk rule, counting repeats; returns distinct codes."""
    # Precondition: `codes` has partner_material_code, description and unit (nullable), one
    # row per occurrence. A code seen again keeps its status and first description.
    seen_at = seen_at or datetime.now(UTC)
    grouped = (
        codes.filter(pl.col("partner_material_code").is_not_null())
        .group_by("partner_material_code", maintain_order=True)
        .agg(
            pl.col("description").drop_nulls().first(),
            pl.col("unit").drop_nulls().first(),
            pl.len().alias("occurrences"),
        )
    )
    if not grouped.height:
        return 0
    known = {
        row.partner_material_code: row.occurrences
        for row in conn.execute(
            sa.select(unknown_codes.c.partner_material_code, unknown_codes.c.occurrences).where(
                unknown_codes.c.partner_id == partner_id,
                unknown_codes.c.partner_material_code.in_(
                    grouped["partner_material_code"].to_list()
                ),
            )
        )
    }
    fresh = [
        row for row in grouped.iter_rows(named=True) if row["partner_material_code"] not in known
    ]
    if fresh:
        conn.execute(
            sa.insert(unknown_codes),
            [
                {
                    "partner_id": partner_id,
                    "partner_material_code": row["partner_material_code"],
                    "description": row["description"],
                    "unit": row["unit"],
                    "first_seen_at": seen_at,
                    "last_seen_at": seen_at,
                    "occurrences": row["occurrences"],
                    "last_submission_ref": submission_ref,
                    "status": CodeStatus.OPEN.value,
                    "material_code": None,
                }
                for row in fresh
            ],
        )
    for row in grouped.iter_rows(named=True):
        code = row["partner_material_code"]
        if code not in known:
            continue
        conn.execute(
            sa.update(unknown_codes)
            .where(
                unknown_codes.c.partner_id == partner_id,
                unknown_codes.c.partner_material_code == code,
            )
            .values(
                occurrences=known[code] + row["occurrences"],
                last_seen_at=seen_at,
                last_submission_ref=submission_ref,
                description=sa.func.coalesce(unknown_codes.c.description, row["description"]),
                unit=sa.func.coalesce(unknown_codes.c.unit, row["unit"]),
            )
        )
    return grouped.height
