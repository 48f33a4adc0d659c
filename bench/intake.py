"""Intake throughput: chainhub's full check of a supplier's purchase-order export next to a bare
Polars read (the physical limit), a per-row Pydantic baseline and pandera on Polars, with every
injected fault required in the report.

    python bench/intake.py [--smoke] [--lines N] [--xlsx-lines N] [--workdir DIR] [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import fastexcel
import numpy as np
import pandera.polars as pa
import polars as pl
import xlsxwriter
from pydantic import ValidationError

from chainhub.intake.readers import read_rows
from chainhub.intake.schemas import FieldMapping, MappingProfile, SourceFormat
from chainhub.intake.service import errors_as_records
from chainhub.intake.validate import check_csv, check_frame
from chainhub.standard.fields import CODE_PATTERN, ID_PATTERN
from chainhub.standard.registry import get_document_type
from chainhub.standard.units import UNIT_CODES

FULL_LINES = 10_000_000
FULL_XLSX_LINES = 1_000_000
SMOKE_LINES = 20_000
SMOKE_XLSX_LINES = 5_000
PYDANTIC_SAMPLE = 200_000
FAULT_SHARE = 0.005

BUYER = "haichuan"
SUPPLIERS = tuple(f"gys-{i:02d}" for i in range(40))
SITES = tuple(f"hc-{i:02d}" for i in range(12))
MATERIALS = tuple(f"M{i:05d}" for i in range(1, 5001))
UNIT_WORDS = {"件": "H87", "PCS": "H87", "个": "H87", "KG": "KGM", "千克": "KGM", "米": "MTR"}
UNIT_WORDS |= {"套": "SET"}
# Plain names, names with the delimiter or a quote (legal quoting), and one with a line break.
DESCRIPTIONS = (
    "压缩机",
    "螺钉 M4",
    "电机",
    "铜管, 9.52",
    "法兰, PN16",
    '1/2" 球阀',
    "注：\n防潮",
)
PLAIN_DESCRIPTIONS = 3
HEADER: tuple[str, ...] = ("采购订单号", "行号", "供应商", "收货地点", "下单日期", "物料编码")
HEADER += ("物料描述", "数量", "单位", "单价", "要求交期", "备注")
DATE_FORMAT = "%Y/%m/%d"

PROFILE_FIELDS = {
    "po_number": FieldMapping(column="采购订单号"),
    "line_no": FieldMapping(column="行号"),
    "buyer_id": FieldMapping(value=BUYER),
    "supplier_id": FieldMapping(column="供应商"),
    "ship_to_site": FieldMapping(column="收货地点"),
    "order_date": FieldMapping(column="下单日期", date_format=DATE_FORMAT),
    "material_code": FieldMapping(column="物料编码"),
    "quantity": FieldMapping(column="数量"),
    "unit": FieldMapping(column="单位", map=UNIT_WORDS),
    "unit_price": FieldMapping(column="单价"),
    "requested_date": FieldMapping(column="要求交期", date_format=DATE_FORMAT),
}
REFERENCES = {"partner": {BUYER, *SUPPLIERS}, "site": set(SITES), "material": set(MATERIALS)}
# Injected fault → the rule the report must name on that row.
FAULT_RULES = {
    "bad_date": "date",
    "negative_quantity": "range",
    "unknown_unit": "code_list",
    "unknown_material": "unknown_reference",
    "too_many_fields": "ragged_row",
    "too_few_fields": "ragged_row",
    "broken_quote": "broken_quote",
}
STRUCTURAL = ("too_many_fields", "too_few_fields", "broken_quote")


def profile_for(source_format: str) -> MappingProfile:
    """The supplier's mapping profile: Chinese headers, slashed dates, unit words."""
    return MappingProfile(
        partner_id="gys-00",
        document_type="purchase_order",
        source=SourceFormat(format=source_format),
        fields=PROFILE_FIELDS,
    )


@dataclass(frozen=True)
class Generated:
    """The cells of every data row as text, and the injected faults by 1-based data row."""

    cells: pl.DataFrame
    faults: pl.DataFrame


def generate(*, rows: int, seed: int, structural: bool) -> Generated:
    """Purchase-order lines of documents of 1 to 8 lines, with 0.5 % of rows made faulty."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 9, size=rows // 4 + 1)
    doc = np.repeat(np.arange(sizes.size), sizes)[:rows]
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    line_no = (np.arange(rows) - starts[doc] + 1) * 10
    order_day = rng.integers(0, 365, size=sizes.size)[doc]
    lead = rng.integers(3, 60, size=rows)
    cents = rng.integers(100, 500_000, size=rows)
    description = rng.choice(
        len(DESCRIPTIONS), size=rows, p=[0.3, 0.3, 0.3, 0.04, 0.03, 0.02, 0.01]
    )
    day0 = pl.lit(date(2026, 1, 1))
    cells = pl.DataFrame(
        {
            "doc": doc,
            "line_no": line_no,
            "supplier": rng.integers(0, len(SUPPLIERS), size=sizes.size)[doc],
            "site": rng.integers(0, len(SITES), size=sizes.size)[doc],
            "order_day": order_day,
            "lead": lead,
            "material": rng.integers(0, len(MATERIALS), size=rows),
            "description": description,
            "quantity": rng.integers(1, 5000, size=rows),
            "unit": rng.integers(0, len(UNIT_WORDS), size=rows),
            "cents": cents,
            "remark": rng.random(size=rows) < 0.1,
        }
    ).select(
        (pl.lit("45") + pl.col("doc").cast(pl.Utf8).str.zfill(8)).alias("采购订单号"),
        pl.col("line_no").cast(pl.Utf8).alias("行号"),
        pl.col("supplier").replace_strict(dict(enumerate(SUPPLIERS))).alias("供应商"),
        pl.col("site").replace_strict(dict(enumerate(SITES))).alias("收货地点"),
        (day0 + pl.duration(days="order_day")).dt.strftime(DATE_FORMAT).alias("下单日期"),
        pl.col("material").replace_strict(dict(enumerate(MATERIALS))).alias("物料编码"),
        pl.col("description").replace_strict(dict(enumerate(DESCRIPTIONS))).alias("物料描述"),
        pl.col("quantity").cast(pl.Utf8).alias("数量"),
        pl.col("unit").replace_strict(dict(enumerate(UNIT_WORDS))).alias("单位"),
        pl.format(
            "{}.{}",
            pl.col("cents") // 100,
            (pl.col("cents") % 100).cast(pl.Utf8).str.zfill(2),
        ).alias("单价"),
        (day0 + pl.duration(days=pl.col("order_day") + pl.col("lead")))
        .dt.strftime(DATE_FORMAT)
        .alias("要求交期"),
        pl.when("remark").then(pl.lit("加急")).otherwise(pl.lit("")).alias("备注"),
        (pl.col("description") < PLAIN_DESCRIPTIONS).alias("plain"),
    )
    kinds = [k for k in FAULT_RULES if structural or k not in STRUCTURAL]
    count = max(len(kinds), round(rows * FAULT_SHARE))
    # Structural faults go on rows with a plain description, so each spans one line.
    candidates = np.flatnonzero(cells.get_column("plain").to_numpy())
    index = np.sort(rng.choice(candidates, size=count, replace=False))
    faults = pl.DataFrame(
        {"row": index + 1, "fault": [kinds[i % len(kinds)] for i in range(count)]},
        schema={"row": pl.Int64, "fault": pl.Utf8},
    ).with_columns(pl.col("fault").replace_strict(FAULT_RULES).alias("rule"))
    fault = pl.repeat(None, rows, dtype=pl.Utf8, eager=True).scatter(
        index, faults.get_column("fault")
    )
    cells = cells.with_columns(fault.alias("fault")).with_columns(
        _inject("要求交期", "bad_date", pl.lit("2026/02/30")),
        _inject("数量", "negative_quantity", pl.lit("-") + pl.col("数量")),
        _inject("单位", "unknown_unit", pl.lit("箱")),
        _inject("物料编码", "unknown_material", pl.lit("X") + pl.col("物料编码")),
    )
    return Generated(cells=cells.drop("plain"), faults=faults)


def _inject(column: str, fault: str, value: pl.Expr) -> pl.Expr:
    return pl.when(pl.col("fault") == fault).then(value).otherwise(pl.col(column)).alias(column)


def csv_lines(cells: pl.DataFrame) -> pl.Series:
    """One text line per data row, ragged where the fault says so."""
    text = pl.col("物料描述")
    quoted = pl.lit('"') + text.str.replace_all('"', '""', literal=True) + pl.lit('"')
    description = (
        pl.when(pl.col("fault") == "broken_quote")
        .then(pl.lit('"') + text)
        .when(text.str.contains(r'[,"\n]'))
        .then(quoted)
        .otherwise(text)
    )
    fields = [description if h == "物料描述" else pl.col(h) for h in HEADER]
    line = pl.concat_str(fields, separator=",")
    short = pl.concat_str(fields[:-1], separator=",")
    return cells.select(
        pl.when(pl.col("fault") == "too_many_fields")
        .then(line + ",多余")
        .when(pl.col("fault") == "too_few_fields")
        .then(short)
        .otherwise(line)
        .alias("line")
    ).to_series()


def write_csv(*, path: Path, rows: int, seed: int) -> pl.DataFrame:
    """Write the CSV export; return its injected faults."""
    generated = generate(rows=rows, seed=seed, structural=True)
    with path.open("wb") as handle:
        handle.write((",".join(HEADER) + "\n").encode())
        csv_lines(generated.cells).to_frame().write_csv(
            handle, include_header=False, quote_style="never"
        )
    return generated.faults


def write_xlsx(*, path: Path, rows: int, seed: int) -> pl.DataFrame:
    """Write the XLSX export (quantities and prices as numbers); return its injected faults."""
    generated = generate(rows=rows, seed=seed, structural=False)
    numbers = {HEADER.index("数量"), HEADER.index("单价")}
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("采购订单")
    sheet.write_row(0, 0, HEADER)
    for r, values in enumerate(generated.cells.select(HEADER).iter_rows(), start=1):
        sheet.write_row(r, 0, [float(v) if i in numbers else v for i, v in enumerate(values)])
    book.close()
    return generated.faults


def write_files(
    csv_path: Path, lines: int, xlsx_path: Path, xlsx_lines: int, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Write both exports; return the faults injected into each."""
    return (
        write_csv(path=csv_path, rows=lines, seed=seed),
        write_xlsx(path=xlsx_path, rows=xlsx_lines, seed=seed + 1),
    )


def _rss() -> int:
    """Peak resident memory of this process, in bytes (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def quote_aware_read(path: Path) -> str:
    """How Polars' ordinary read of the file ends: its error, or the rows read."""
    try:
        return f"{pl.read_csv(path, infer_schema=False).height:,} rows"
    except pl.exceptions.PolarsError as exc:
        return f"fails: {str(exc).splitlines()[0][:70]}"


def bare_csv(path: Path, quoting: str) -> tuple[int, str]:
    """Polars' own read of the file, all text, the read that copes with its faults: the
    physical limit."""
    rows = pl.read_csv(path, infer_schema=False, quote_char=None, truncate_ragged_lines=True)
    return rows.height, f"quote_char=None; the quote-aware read {quoting}"


def chainhub_check(path: Path, source_format: str, report: Path) -> tuple[int, str]:
    """chainhub's full check, as `chainhub conform` runs it: read, coerce, every rule, the
    row-level report written (a CSV block by block)."""
    profile = profile_for(source_format)
    if source_format == "csv":
        result = check_csv(path=path, profile=profile, references=REFERENCES, records=False)
    else:
        read = read_rows(path=path, source=profile.source)
        result = check_frame(
            frame=read.frame, profile=profile, references=REFERENCES, malformed=read.malformed
        )
    errors = errors_as_records(result, lang="zh")
    report.write_text(
        json.dumps({"rows": result.rows, "errors": errors}, ensure_ascii=False, default=str),
        encoding="utf-8",
    )
    return result.rows, f"{len(errors):,} errors in {result.invalid_rows:,} rows"


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """The text→value parsing a Polars user would write for this profile."""
    number = pl.Decimal(18, 6)
    return frame.select(
        pl.col("采购订单号").alias("po_number"),
        pl.col("行号").cast(pl.Int64, strict=False).alias("line_no"),
        pl.col("供应商").alias("supplier_id"),
        pl.col("收货地点").alias("ship_to_site"),
        pl.col("下单日期").str.to_date(DATE_FORMAT, strict=False).alias("order_date"),
        pl.col("物料编码").alias("material_code"),
        pl.col("数量").cast(number, strict=False).alias("quantity"),
        pl.col("单位").replace(UNIT_WORDS).alias("unit"),
        pl.col("单价").cast(number, strict=False).alias("unit_price"),
        pl.col("要求交期").str.to_date(DATE_FORMAT, strict=False).alias("requested_date"),
    )


def _same_document(data: pa.PolarsData) -> pl.LazyFrame:
    headers = ("supplier_id", "ship_to_site", "order_date")
    agree = [pl.col(h).n_unique().over("po_number") == 1 for h in headers]
    return data.lazyframe.select(pl.all_horizontal(agree))


def pandera_schema() -> pa.DataFrameSchema:
    """The same rules in pandera: patterns, codes, ranges, dates, references, uniqueness."""

    def codes(pattern: str, known: set[str]) -> list[pa.Check]:
        return [pa.Check.str_matches(pattern), pa.Check.isin(sorted(known))]

    return pa.DataFrameSchema(
        {
            "po_number": pa.Column(str, pa.Check.str_matches(CODE_PATTERN)),
            "line_no": pa.Column(pl.Int64, pa.Check.ge(1)),
            "supplier_id": pa.Column(str, codes(ID_PATTERN, REFERENCES["partner"])),
            "ship_to_site": pa.Column(str, codes(ID_PATTERN, REFERENCES["site"])),
            "order_date": pa.Column(pl.Date),
            "material_code": pa.Column(str, codes(CODE_PATTERN, REFERENCES["material"])),
            "quantity": pa.Column(pl.Decimal(18, 6), pa.Check.gt(0)),
            "unit": pa.Column(str, pa.Check.isin(UNIT_CODES)),
            "unit_price": pa.Column(pl.Decimal(18, 6), pa.Check.ge(0), nullable=True),
            "requested_date": pa.Column(pl.Date),
        },
        checks=[
            pa.Check(
                lambda d: d.lazyframe.select(pl.col("requested_date") >= pl.col("order_date"))
            ),
            pa.Check(_same_document),
        ],
        unique=["po_number", "line_no"],
    )


def pandera_check(path: Path) -> tuple[int, str]:
    """pandera on Polars: read (ragged and broken rows cannot be told apart), parse, validate."""
    frame = pl.read_csv(path, infer_schema=False, quote_char=None, truncate_ragged_lines=True)
    try:
        pandera_schema().validate(_typed(frame), lazy=True)
    except pa.errors.SchemaErrors as exc:
        return frame.height, f"{exc.failure_cases.height:,} failure cases"
    return frame.height, "no failure cases"


def _parse_row(row: dict[str, str]) -> dict[str, Any]:
    """Text → values as a per-row implementation does it, before the model checks them."""

    def day(text: str) -> date:
        return datetime.strptime(text, DATE_FORMAT).date()  # noqa: DTZ007 (a date, no time)

    return {
        "po_number": row["采购订单号"],
        "line_no": int(row["行号"]),
        "buyer_id": BUYER,
        "supplier_id": row["供应商"],
        "ship_to_site": row["收货地点"],
        "order_date": day(row["下单日期"]),
        "material_code": row["物料编码"],
        "quantity": Decimal(row["数量"]),
        "unit": UNIT_WORDS.get(row["单位"], row["单位"]),
        "unit_price": Decimal(row["单价"]) if row["单价"] else None,
        "requested_date": day(row["要求交期"]),
    }


def pydantic_rows(path: Path, limit: int) -> tuple[int, str]:
    """Each row parsed and validated with the standard's Pydantic record model."""
    model = get_document_type("purchase_order").record_model
    failed = 0
    seen: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = 0
        for rows, cells in enumerate(reader, start=1):
            try:
                if len(cells) != len(header):
                    raise ValueError("ragged")
                record = model.model_validate(_parse_row(dict(zip(header, cells, strict=True))))
                known = (
                    record.supplier_id in REFERENCES["partner"]
                    and record.ship_to_site in REFERENCES["site"]
                    and record.material_code in REFERENCES["material"]
                )
                key = (record.po_number, str(record.line_no))
                if not known or key in seen:
                    raise ValueError("unknown code or duplicate line")
                seen.add(key)
            except (ValidationError, ValueError, InvalidOperation, KeyError):
                failed += 1
            if rows == limit:
                break
    return rows, f"{failed:,} failing rows in a {rows:,}-row sample, rows/s extrapolated"


def bare_xlsx(path: Path) -> tuple[int, str]:
    """fastexcel's own read of the sheet."""
    return fastexcel.read_excel(path).load_sheet(0).to_polars().height, ""


@dataclass(frozen=True)
class Timing:
    """One measured run, in its own process."""

    name: str
    rows: int
    seconds: float
    cpu_seconds: float
    peak_rss: int
    note: str

    @property
    def rows_per_second(self) -> float:
        """Throughput."""
        return self.rows / self.seconds


def _run(queue: Any, task: Callable[..., Any], args: tuple[Any, ...]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    result = task(*args)
    queue.put((result, time.perf_counter() - wall, time.process_time() - cpu, _rss()))


def in_child(task: Callable[..., Any], *args: Any) -> tuple[Any, float, float, int]:
    """Run `task` in a forked process: its result, time, CPU time and peak memory.

    The parent runs no Polars work before its children, so forking it is safe (Polars'
    thread pool starts on first use) and spares each child the imports.
    """
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_run, args=(queue, task, args))
    process.start()
    result: tuple[Any, float, float, int] = queue.get()
    process.join()
    return result


def measure(name: str, task: Callable[..., tuple[int, str]], *args: Any) -> Timing:
    """Time one contender in its own process."""
    (rows, note), seconds, cpu, rss = in_child(task, *args)
    timing = Timing(name, rows, seconds, cpu, rss, note)
    print(f"  {name:<34}{seconds:>8.1f} s  {note}", flush=True)
    return timing


def missing_faults(report: Path, faults: pl.DataFrame) -> tuple[int, int]:
    """Injected faults absent from the report, and reported rows that had no fault."""
    errors = pl.DataFrame(
        json.loads(report.read_text("utf-8"))["errors"], schema_overrides={"row": pl.Int64}
    )
    reported = errors.select("row", "rule").unique()
    missing = faults.select("row", "rule").join(reported, on=["row", "rule"], how="anti")
    extra = reported.join(faults, on="row", how="anti")
    return missing.height, extra.get_column("row").n_unique()


def _table(timings: list[Timing], anchor: Timing) -> Iterator[str]:
    yield f"{'':<36}{'rows/s':>12}{'seconds':>9}{'cpu s':>8}{'peak RSS':>10}{'× chainhub':>12}"
    for t in timings:
        ratio = anchor.rows_per_second / t.rows_per_second
        yield (
            f"{t.name:<36}{t.rows_per_second:>12,.0f}{t.seconds:>9.1f}{t.cpu_seconds:>8.1f}"
            f"{t.peak_rss / 2**30:>8.2f}GB{ratio:>11.2f}x"
        )


def run(*, lines: int, xlsx_lines: int, workdir: Path, seed: int) -> bool:
    """Generate both files, measure every contender, print the table; True when every fault
    is reported exactly."""
    csv_path, xlsx_path = workdir / "purchase_orders.csv", workdir / "purchase_orders.xlsx"
    (csv_faults, xlsx_faults), seconds, _cpu, _rss = in_child(
        write_files, csv_path, lines, xlsx_path, xlsx_lines, seed
    )
    size = csv_path.stat().st_size / 1e9
    print(
        f"generated {lines:,} CSV lines ({size:.2f} GB, {csv_faults.height:,} faults) and "
        f"{xlsx_lines:,} XLSX lines ({xlsx_faults.height:,} faults) in {seconds:.0f} s; "
        f"{multiprocessing.cpu_count()} cores",
        flush=True,
    )
    csv_report, xlsx_report = workdir / "csv_report.json", workdir / "xlsx_report.json"
    sample = min(lines, PYDANTIC_SAMPLE)
    quoting = in_child(quote_aware_read, csv_path)[0]
    bare = measure("CSV  polars read_csv (bare)", bare_csv, csv_path, quoting)
    chainhub = measure("CSV  chainhub check", chainhub_check, csv_path, "csv", csv_report)
    pandera = measure("CSV  pandera on polars", pandera_check, csv_path)
    pydantic = measure("CSV  pydantic per row", pydantic_rows, csv_path, sample)
    xlsx_bare = measure("XLSX fastexcel (bare)", bare_xlsx, xlsx_path)
    xlsx = measure("XLSX chainhub check", chainhub_check, xlsx_path, "xlsx", xlsx_report)
    print()
    for line in _table([bare, chainhub, pandera, pydantic], chainhub):
        print(line)
    for line in list(_table([xlsx_bare, xlsx], xlsx))[1:]:
        print(line)
    print()
    targets = (
        ("CSV chainhub / bare read time", chainhub.seconds / bare.seconds, "≤ 1.5", 1.5, True),
        (
            "CSV chainhub / pydantic rows/s",
            chainhub.rows_per_second / pydantic.rows_per_second,
            "≥ 10",
            10,
            False,
        ),
        ("CSV chainhub / pandera time", chainhub.seconds / pandera.seconds, "< 1", 1, True),
        ("CSV chainhub peak RSS (GB)", chainhub.peak_rss / 2**30, "< 4", 4, True),
        ("XLSX chainhub / bare read time", xlsx.seconds / xlsx_bare.seconds, "", 0, True),
    )
    for name, value, goal, bound, below in targets:
        verdict = (
            "" if not goal else "met" if (value <= bound if below else value >= bound) else "MISSED"
        )
        print(f"{name:<36}{value:>8.2f}  {goal:<7}{verdict}")
    exact = True
    for label, report, faults in (
        ("CSV", csv_report, csv_faults),
        ("XLSX", xlsx_report, xlsx_faults),
    ):
        missing, extra = missing_faults(report, faults)
        exact = exact and not missing and not extra
        print(
            f"{label} faults: {faults.height:,} injected, {missing:,} not reported with their "
            f"rule, {extra:,} other rows reported"
        )
    return exact


def main() -> None:
    """Parse arguments, run the bench, exit 1 when a fault goes unreported."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--lines", type=int, help=f"CSV data lines (default {FULL_LINES:,})")
    parser.add_argument(
        "--xlsx-lines", type=int, help=f"XLSX data lines (default {FULL_XLSX_LINES:,})"
    )
    parser.add_argument("--workdir", type=Path, help="where to write the files (default: temp)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    lines = args.lines or (SMOKE_LINES if args.smoke else FULL_LINES)
    xlsx_lines = args.xlsx_lines or (SMOKE_XLSX_LINES if args.smoke else FULL_XLSX_LINES)
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        ok = run(lines=lines, xlsx_lines=xlsx_lines, workdir=args.workdir, seed=args.seed)
    else:
        with tempfile.TemporaryDirectory(prefix="chainhub-bench-") as folder:
            ok = run(lines=lines, xlsx_lines=xlsx_lines, workdir=Path(folder), seed=args.seed)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
