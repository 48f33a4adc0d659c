"""Reading and checking a file, in this process or in a sandboxed child within a budget.

Everything a hostile file can make long or big (decoding, splitting into rows, finding the
header, checking every row) happens here, away from the database: the caller reads the
crosswalk and the registered codes first and stores the result afterwards, in its
transaction. In a child, the typed records, the error report and the rows as written that
the caller may need (those of documents with an error) come back as Arrow IPC files.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from chainhub.api.sandbox import Budget, BudgetExceededError, Sandbox
from chainhub.errors import ChainhubError
from chainhub.intake.quarantine import split_by_document
from chainhub.intake.readers import SOURCE_ROW, CsvFile, read_rows, read_source, split_together
from chainhub.intake.schemas import MappingProfile, SourceFormat
from chainhub.intake.validate import ValidationResult
from chainhub.intake.validate.blockwise import csv_stages
from chainhub.intake.validate.frame import frame_stages
from chainhub.intake.validate.plan import PlanCache
from chainhub.intake.validate.staged import Stages, run_alone, run_together

T = TypeVar("T")
# What the upload path's workers import as they start: this module and the readers.
PRELOAD = (__name__,)


def check_path(
    *,
    path: Path,
    profile: MappingProfile,
    crosswalk: dict[str, str] | None,
    submitted_by: str | None,
    references: Mapping[str, Collection[str]] | None,
    records: bool = True,
    partial: bool = False,
    plans: PlanCache | None = None,
) -> ValidationResult:
    """Read and check a file through its profile, with the crosswalk and codes given (and
    the checks built before, in `plans`); a CSV file block by block unless the profile numbers
    the lines (counted over the whole file)."""
    return run_alone(
        _path_stages(
            path=path,
            profile=profile,
            crosswalk=crosswalk,
            submitted_by=submitted_by,
            references=references,
            records=records,
            partial=partial,
            plans=plans,
        )
    )


@dataclass(frozen=True)
class PathToCheck:
    """A file of a load to check: its profile (as sent), crosswalk and party rule."""

    path: Path
    profile: MappingProfile
    crosswalk: dict[str, str] | None
    submitted_by: str | None


def check_paths(
    *,
    files: Sequence[PathToCheck],
    references: Mapping[str, Collection[str]] | None,
    plans: PlanCache,
) -> list[ValidationResult | Exception]:
    """`check_path` of each of `files`, the rows of those of one document type checked in
    one pass (see `shared`) and small CSV files of one layout split in one read; where a file's
    check raises, its error."""
    sources = {index: _csv_file(f.path, f.profile) for index, f in enumerate(files)}
    split_together([s for s in sources.values() if s is not None])
    return run_together(
        [
            _path_stages(
                path=f.path,
                profile=f.profile,
                crosswalk=f.crosswalk,
                submitted_by=f.submitted_by,
                references=references,
                records=True,
                partial=False,
                plans=plans,
                source=sources[index],
            )
            for index, f in enumerate(files)
        ]
    )


def _csv_file(path: Path, profile: MappingProfile) -> CsvFile | None:
    """The CSV file its check reads block by block, opened; None for another file, or one
    that cannot be opened (its check says why)."""
    if profile.source.format != "csv" or _numbered(profile):
        return None
    try:
        return CsvFile(path, profile.source)
    except Exception:  # noqa: BLE001 - raised again when the file is checked, as its own
        return None


def _numbered(profile: MappingProfile) -> bool:
    """Whether the profile numbers lines (counted over the whole file, read at once)."""
    return any(m.number_lines for m in profile.fields.values())


def _path_stages(
    *,
    path: Path,
    profile: MappingProfile,
    crosswalk: dict[str, str] | None,
    submitted_by: str | None,
    references: Mapping[str, Collection[str]] | None,
    records: bool,
    partial: bool,
    plans: PlanCache | None,
    source: CsvFile | None = None,
) -> Stages:
    if profile.source.format == "csv" and not _numbered(profile):
        return (
            yield from csv_stages(
                path=path,
                profile=profile,
                crosswalk=crosswalk,
                submitted_by=submitted_by,
                references=references,
                records=records,
                partial=partial,
                plans=plans,
                source=source,
            )
        )
    rows = read_rows(path=path, source=profile.source)
    return (
        yield from frame_stages(
            frame=rows.frame,
            profile=profile,
            crosswalk=crosswalk,
            submitted_by=submitted_by,
            references=references,
            malformed=rows.malformed,
            partial=partial,
            plans=plans,
        )
    )


def read_columns(*, path: Path, source: SourceFormat) -> list[str]:
    """The names of the file's columns, as its reader finds them (a CSV file's from its
    header, without reading its rows)."""
    if source.format == "csv":
        return list(CsvFile(path, source).layout.names)
    return [c for c in read_source(path, source).columns if c != SOURCE_ROW]


@dataclass(frozen=True)
class _Summary:
    document_type: str
    rows: int
    malformed_rows: int


_PARTS = ("records", "errors", "source")


def _check_to_files(
    *,
    path: Path,
    profile: MappingProfile,
    crosswalk: dict[str, str] | None,
    submitted_by: str | None,
    references: Mapping[str, Collection[str]] | None,
    out: Path,
) -> _Summary:
    """`check_path` in a worker: its frames written to `out` as Arrow IPC files."""
    result = check_path(
        path=path,
        profile=profile,
        crosswalk=crosswalk,
        submitted_by=submitted_by,
        references=references,
    )
    # The rows as written are looked up for errors (unknown codes) and for the rows of
    # failed documents (quarantine), so those are the ones sent back.
    _good, failed = split_by_document(result)
    wanted = pl.concat(
        [result.errors.get_column("row").cast(pl.Int64), failed.get_column(SOURCE_ROW)]
    ).unique()
    frames = (result.records, result.errors, result.source_of(wanted))
    for name, frame in zip(_PARTS, frames, strict=True):
        frame.write_ipc(out / f"{name}.arrow")
    return _Summary(result.document_type, result.rows, result.malformed_rows)


def check_path_within(
    *,
    sandbox: Sandbox,
    path: Path,
    profile: MappingProfile,
    crosswalk: dict[str, str] | None,
    submitted_by: str | None,
    references: Mapping[str, Collection[str]] | None,
    name: str,
) -> ValidationResult:
    """`check_path` in a sandboxed worker; a ChainhubError naming the file (`name`) and the
    budget when it takes too long or too much memory."""
    with tempfile.TemporaryDirectory(prefix="chainhub-checked-") as folder:
        out = Path(folder)
        summary = run_within(
            sandbox,
            name,
            _check_to_files,
            path=path,
            profile=profile,
            crosswalk=crosswalk,
            submitted_by=submitted_by,
            references=references,
            out=out,
        )
        records, errors, source = (pl.read_ipc(out / f"{part}.arrow") for part in _PARTS)

    def source_of(rows: pl.Series) -> pl.DataFrame:
        return source.filter(pl.col(SOURCE_ROW).is_in(rows.implode()))

    return ValidationResult(
        document_type=summary.document_type,
        records=records,
        errors=errors,
        rows=summary.rows,
        source_of=source_of,
        malformed_rows=summary.malformed_rows,
    )


def run_within(sandbox: Sandbox, name: str, job: Callable[..., T], **kwargs: Any) -> T:
    """`job(**kwargs)` in the sandbox; its overrun as a ChainhubError naming file `name`."""
    try:
        return sandbox.run(job, **kwargs)
    except BudgetExceededError as exceeded:
        raise over_budget(name, sandbox.budget, exceeded.kind) from None


def over_budget(name: str, budget: Budget, kind: str) -> ChainhubError:
    """The refusal of a file whose check overran the time or memory budget."""
    if kind == "time":
        return ChainhubError(
            "file_check_time",
            f"checking {name} took longer than the hub allows ({budget.seconds:g} s); nothing "
            "was stored. Split the file, or ask the hub admin about CHAINHUB_FILE_CHECK_SECONDS",
            f"检查 {name} 超过枢纽允许的时间（{budget.seconds:g} 秒）；未入库。"
            "请拆分文件，或联系枢纽管理员调整 CHAINHUB_FILE_CHECK_SECONDS",
            {"file": name, "limit_seconds": f"{budget.seconds:g}"},
            422,
        )
    return ChainhubError(
        "file_check_memory",
        f"checking {name} needs more memory than the hub allows ({budget.memory_mb} MB); "
        "nothing was stored. Split the file, or ask the hub admin about "
        "CHAINHUB_FILE_CHECK_MEMORY_MB",
        f"检查 {name} 所需内存超过枢纽允许的上限（{budget.memory_mb} MB）；未入库。"
        "请拆分文件，或联系枢纽管理员调整 CHAINHUB_FILE_CHECK_MEMORY_MB",
        {"file": name, "limit_mb": budget.memory_mb},
        413,
    )
