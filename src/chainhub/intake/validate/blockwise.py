"""Check a CSV file of any size block by block, in bounded memory."""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Final

import polars as pl

from chainhub.intake.readers import BLOCK_BYTES, LINE, SOURCE_ROW, CsvFile, Resolved, renamed
from chainhub.intake.readers.blocks import Block
from chainhub.intake.readers.table import is_totals
from chainhub.intake.schemas import MappingProfile
from chainhub.intake.validate.plan import Checked, PlanCache, get_plan
from chainhub.intake.validate.report import finish, malformed_errors
from chainhub.intake.validate.result import SourceLookup, ValidationResult
from chainhub.intake.validate.staged import RowsToCheck, Stages, run_alone

_BLOCKS_IN_FLIGHT: Final = 2


def check_csv(
    *,
    path: Path,
    profile: MappingProfile,
    crosswalk: dict[str, str] | None = None,
    submitted_by: str | None = None,
    references: Mapping[str, Collection[str]] | None = None,
    plans: PlanCache | None = None,
    records: bool = True,
    block_bytes: int = BLOCK_BYTES,
    partial: bool = False,
) -> ValidationResult:
    """`check_frame` for a CSV file of any size, block by block, in bounded memory.

    Rows that cannot be split into fields are among the errors; without `records` only the
    report is kept.
    """
    return run_alone(
        csv_stages(
            path=path,
            profile=profile,
            crosswalk=crosswalk,
            submitted_by=submitted_by,
            references=references,
            plans=plans,
            records=records,
            block_bytes=block_bytes,
            partial=partial,
        )
    )


def csv_stages(
    *,
    path: Path,
    profile: MappingProfile,
    crosswalk: dict[str, str] | None = None,
    submitted_by: str | None = None,
    references: Mapping[str, Collection[str]] | None = None,
    plans: PlanCache | None = None,
    records: bool = True,
    block_bytes: int = BLOCK_BYTES,
    partial: bool = False,
    source: CsvFile | None = None,
) -> Stages:
    """`check_csv` as stages (see `staged`): a file of one block hands its rows out; `source`,
    the file opened already (with `block_bytes`), if it is."""
    if source is None:
        source = CsvFile(path, profile.source, block_bytes=block_bytes)
    plan = get_plan(
        profile=profile,
        columns=source.layout.names,
        crosswalk=crosswalk,
        submitted_by=submitted_by,
        references=references,
        plans=plans,
        partial=partial,
    )
    parts: list[Checked] = []
    lines = 0
    if source.one_block:
        # No next block to split meanwhile: a thread would only cost a switch.
        for block in source.blocks():
            frame, keep = _rows_to_check(block, profile)
            parts.append((yield RowsToCheck(plan, frame, keep, records)))
            lines += frame.height
    else:
        # A block is checked while the next is split: each stage leaves a core idle at times.
        with ThreadPoolExecutor(max_workers=_BLOCKS_IN_FLIGHT) as pool:
            checking: deque[Future[Checked]] = deque()
            for block in source.blocks():
                frame, keep = _rows_to_check(block, profile)
                checking.append(pool.submit(plan.check_rows, frame, keep=keep, records=records))
                lines += frame.height
                if len(checking) == _BLOCKS_IN_FLIGHT:
                    parts.append(checking.popleft().result())
            parts.extend(f.result() for f in checking)
    resolved = source.resolve()
    others = renamed(resolved.others, {LINE: SOURCE_ROW})
    if profile.source.skip_totals and others.height:
        others = others.filter(~is_totals(source.layout.names))
    if others.height or not parts:
        parts.append((yield RowsToCheck(plan, others, None, records)))

    def numbered(frame: pl.DataFrame, column: str) -> pl.DataFrame:
        if resolved.continued.len():
            return frame.with_columns(resolved.row(pl.col(column)).alias(column))
        # Each row is its line's (`Resolved.row`): a sum of the Series, without a query.
        out = frame.clone()
        out.replace_column(frame.get_column_index(column), frame.get_column(column) + 1)
        return out

    errors = [numbered(e, "row") for part in parts for e in part.errors]
    if resolved.malformed.height:
        errors.append(malformed_errors(resolved.malformed_rows()))
    keys = pl.concat([p.keys for p in parts])
    if others.height:
        keys = keys.sort(SOURCE_ROW)
    source_of = _source_lookup(source, resolved)
    errors.extend(plan.document_errors(numbered(keys, SOURCE_ROW), source_of))
    typed = (
        pl.concat([p.records for p in parts if p.records is not None])
        if records
        else pl.DataFrame(schema={SOURCE_ROW: pl.Int64})
    )
    if records:
        typed = numbered(typed.sort(SOURCE_ROW) if others.height else typed, SOURCE_ROW)
    continued = resolved.continued.len()
    return ValidationResult(
        document_type=plan.doc_type.name,
        records=typed,
        errors=finish(errors),
        rows=lines - continued,
        source_of=source_of,
        malformed_rows=resolved.malformed.height,
        unmapped=plan.unmapped,
    )


def _source_lookup(source: CsvFile, resolved: Resolved) -> SourceLookup:
    """Rows as written, read again from the blocks that hold them."""

    def source_of(rows: pl.Series) -> pl.DataFrame:
        wanted = resolved.lines_of(rows)
        starts = pl.Series([line for _o, _s, line in source.spans], dtype=pl.Int64)
        blocks = (starts.search_sorted(wanted, side="right") - 1).unique().sort()
        found = [
            source.block(index).frame.filter(pl.col(LINE).is_in(wanted.implode()))
            for index in blocks.to_list()
        ]
        found.append(resolved.others.filter(pl.col(LINE).is_in(wanted.implode())))
        # A block's line that is rare there (part of a quoted record) is not a row.
        rows_only = pl.concat(found).unique(LINE, keep="last").sort(LINE)
        return rows_only.select(resolved.row(pl.col(LINE)).alias(SOURCE_ROW), *source.layout.names)

    return source_of


def _rows_to_check(block: Block, profile: MappingProfile) -> tuple[pl.DataFrame, pl.Series]:
    """A block's rows numbered as the checks expect, and which of them to check."""
    frame = renamed(block.frame, {LINE: SOURCE_ROW})
    return frame, _without_totals(frame, block, profile)


def _without_totals(frame: pl.DataFrame, block: Block, profile: MappingProfile) -> pl.Series:
    """The rows to check: the plain ones, less totals rows unless the profile keeps them."""
    if not (profile.source.skip_totals and block.totals):
        return block.plain
    names = [c for c in frame.columns if c != SOURCE_ROW]
    return block.plain & ~frame.select(is_totals(names)).to_series()
