"""Streaming output: partner files, profiles, ground-truth Parquet and the manifest."""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Final

import polars as pl
import pyarrow.parquet as pq
import xlsxwriter

from chainhub.sim.catalog import GRAM_WRITERS
from chainhub.sim.chain import Chain
from chainhub.sim.demand import list_demand_events
from chainhub.sim.dialects import DIALECTS, build_profile, column_plan, render, sheet_name
from chainhub.sim.flows import FlowResult, Row
from chainhub.sim.records import (
    day_date,
    milli_text,
    optional_fields,
    record_kinds,
    record_schema,
    to_truth,
)
from chainhub.standard.registry import BUSINESS_DATES, DOCUMENT_TYPES

LOAD_ORDER: Final = (
    "partner",
    "site",
    "material",
    "material_crosswalk",
    "bom",
    "work_centre",
    "routing",
    "purchase_order",
    "sales_order",
    "shipment",
    "goods_receipt",
    "production_order",
    "quality_inspection",
    "demand_forecast",
    "inventory_snapshot",
    "weekly_material_demand",
    "capacity_group",
    "purchasing_terms",
)
_FLUSH_ROWS: Final = 200_000
_XLSX_EPOCH: Final = datetime(2025, 1, 1)  # noqa: DTZ001 - xlsx core properties are naive
_CN: Final = timezone(timedelta(hours=8))
# Partners send a file some days after the newest business date it holds, each by its own
# habit: most the same day or the next, a laggard's habit days later.
_PROMPT_DAYS: Final = (0, 1)
_LAGGARD_DAYS: Final = (3, 12)
_LAGGARD_SHARE: Final = 0.25
_SEND_TIME: Final = time(17, 30, tzinfo=_CN)


@dataclass
class Submission:
    """One file of one partner and document type, as listed in the manifest."""

    partner_id: str
    document_type: str
    file: str
    profile: str
    rows: int
    period: str
    rank: int


class OutputWriter:
    """Buffers standard records, renders them through each partner's dialect, writes files."""

    def __init__(self, *, out: Path, chain: Chain) -> None:
        self.out = out
        self.chain = chain
        self.buffers: dict[tuple[str, str, str], list[tuple[Any, ...]]] = {}
        self.pending = 0
        self.files: dict[str, Submission] = {}
        self.truth: dict[str, list[pl.DataFrame]] = {}
        self.truth_rows: dict[str, int] = {}
        self.parquet: dict[str, pq.ParquetWriter] = {}
        self.fields = {t: tuple(record_kinds(t)) for t in DOCUMENT_TYPES}
        self.profiles: set[tuple[str, str]] = set()
        # Each file's newest business date (its local day), which it is sent some days after.
        self.newest: dict[str, date] = {}

    def emit(self, *, doc_type: str, writer: str, day: int, header: Row, lines: list[Row]) -> None:
        """Buffer one document as flat records (one per line)."""
        partner = self.chain.partners[writer]
        dialect = DIALECTS[partner.dialect]
        if DOCUMENT_TYPES[doc_type].master:
            period = "master"
        elif partner.split == "year" and dialect.fmt == "csv":
            period = "all"
        else:
            period = day_date(day).strftime("%Y-%m")
        rows = self.buffers.setdefault((writer, doc_type, period), [])
        fields = self.fields[doc_type]
        for line in lines:
            merged = header | line
            rows.append(tuple(map(merged.get, fields)))
        self.pending += len(lines)

    def flush(self, *, month_end: bool) -> None:
        """Write out buffers: all of them at month end, CSV ones when many rows wait."""
        if not month_end and self.pending < _FLUSH_ROWS:
            return
        for key in sorted(self.buffers):
            writer = key[0]
            if month_end or DIALECTS[self.chain.partners[writer].dialect].fmt == "csv":
                self._flush(*key, rows=self.buffers.pop(key))
        self.pending = sum(len(v) for v in self.buffers.values())

    def _flush(
        self, writer: str, doc_type: str, period: str, *, rows: list[tuple[Any, ...]]
    ) -> None:
        if not rows:
            return
        dialect = DIALECTS[self.chain.partners[writer].dialect]
        frame = pl.DataFrame(rows, schema=record_schema(doc_type), orient="row")
        dropped = dialect.omit & optional_fields(doc_type)
        if dropped:
            frame = frame.with_columns(
                pl.lit(None, dtype=frame.schema[f]).alias(f) for f in sorted(dropped)
            )
        name = doc_type if period in ("master", "all") else f"{doc_type}_{period}"
        rel = f"partners/{writer}/{name}.{dialect.ext}"
        self._write_profile(writer, doc_type)
        first = rel not in self.files
        if first:
            self.files[rel] = Submission(
                writer,
                doc_type,
                rel,
                f"profiles/{writer}/{doc_type}.yaml",
                0,
                "" if period in ("master", "all") else period,
                LOAD_ORDER.index(doc_type),
            )
        self.files[rel].rows += frame.height
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if dialect.fmt == "xlsx":
            self._write_xlsx(path, frame, writer=writer, doc_type=doc_type)
        else:
            text = render(
                frame, chain=self.chain, writer=writer, doc_type=doc_type, numeric=False
            ).write_csv(
                include_header=first,
                separator=dialect.delimiter,
                null_value="",
                line_terminator=dialect.line_terminator,
            )
            encoding = (
                "utf-8" if dialect.encoding == "utf-8-sig" and not first else dialect.encoding
            )
            with path.open("ab") as fh:
                fh.write(text.encode(encoding))
        truth = (
            to_truth(frame, doc_type=doc_type)
            .with_columns(pl.lit(rel).alias("source_file"))
            .select(["source_file", *self.fields[doc_type]])
        )
        self._note_newest(rel, doc_type, truth)
        self.truth.setdefault(doc_type, []).append(truth)
        self.truth_rows[doc_type] = self.truth_rows.get(doc_type, 0) + truth.height
        if self.truth_rows[doc_type] >= _FLUSH_ROWS:
            self._write_truth(doc_type)

    def _note_newest(self, rel: str, doc_type: str, truth: pl.DataFrame) -> None:
        field = BUSINESS_DATES.get(doc_type)
        if field is None:
            return
        column = truth[field]
        newest = (column.dt.date() if column.dtype != pl.Date else column).max()
        if isinstance(newest, date):
            self.newest[rel] = max(newest, self.newest.get(rel, newest))

    def _write_xlsx(self, path: Path, frame: pl.DataFrame, *, writer: str, doc_type: str) -> None:
        dialect = DIALECTS[self.chain.partners[writer].dialect]
        table = render(frame, chain=self.chain, writer=writer, doc_type=doc_type, numeric=True)
        book = xlsxwriter.Workbook(str(path), {"in_memory": True})
        book.set_properties({"created": _XLSX_EPOCH, "author": writer})
        sheet = sheet_name(self.chain, writer=writer, doc_type=doc_type)
        ws = book.add_worksheet(sheet if isinstance(sheet, str) else None)
        top = dialect.header_row - 1
        if top:
            ws.write_string(0, 0, f"{DOCUMENT_TYPES[doc_type].title_zh}列表")
        for c, name in enumerate(table.columns):
            ws.write_string(top, c, name)
        for r, row in enumerate(table.iter_rows(), start=top + 1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, value)
        book.close()

    def _write_profile(self, writer: str, doc_type: str) -> None:
        if (writer, doc_type) in self.profiles:
            return
        self.profiles.add((writer, doc_type))
        path = self.out / "profiles" / writer / f"{doc_type}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        profile = build_profile(self.chain, writer=writer, doc_type=doc_type)
        path.write_text(profile.to_yaml(), encoding="utf-8")

    def _write_truth(self, doc_type: str) -> None:
        frames = self.truth.pop(doc_type, [])
        self.truth_rows[doc_type] = 0
        if not frames:
            return
        table = pl.concat(frames).to_arrow()
        if doc_type not in self.parquet:
            path = self.out / "ground_truth" / "standard" / f"{doc_type}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.parquet[doc_type] = pq.ParquetWriter(path, table.schema)
        writer = self.parquet[doc_type]
        writer.write_table(table.cast(writer.schema))

    def close(self, *, result: FlowResult, manifest: dict[str, Any]) -> list[Submission]:
        """Flush everything and write the ground truth and the manifest; the submissions."""
        self.flush(month_end=True)
        for doc_type in list(self.truth):
            self._write_truth(doc_type)
        for w in self.parquet.values():
            w.close()
        truth = self.out / "ground_truth"
        submissions = sorted(
            self.files.values(),
            key=lambda s: (s.rank, s.period, self.chain.partners[s.partner_id].index, s.file),
        )
        (truth / "mapping.json").write_text(
            json.dumps(self._mapping(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        (truth / "defects.json").write_text(
            json.dumps(result.defects, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        _write_csv(truth / "crosswalk.csv", self._crosswalk())
        _write_csv(truth / "order_outcomes.csv", [_outcome_row(o) for o in result.outcomes])
        delays = self._send_delays(seed=manifest["seed"])
        # Every capacity group-week the suppliers sent, with the demand they were sent and
        # whether it is a planted shortfall (red by the bottleneck rule).
        _write_csv(truth / "capacity_weeks.csv", result.capacity_weeks)
        # The days the simulator's promotions and holidays scale appliance demand (spare parts
        # are untouched), so a forecast's calendar can be judged against them.
        _write_csv(
            truth / "demand_events.csv",
            list_demand_events(start=self.chain.start, days=self.chain.days),
        )
        manifest["submissions"] = [
            {
                "partner_id": s.partner_id,
                "document_type": s.document_type,
                "file": s.file,
                "profile": s.profile,
                "rows": s.rows,
                "sent_at": self._sent_at(s, delays[s.partner_id]).isoformat(),
            }
            for s in submissions
        ]
        (self.out / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        return submissions

    def _send_delays(self, *, seed: int) -> dict[str, int]:
        """Each partner's habit: how many days after the newest business date of a file it
        sends the file (most partners within a day, a laggard later)."""
        rng = random.Random(f"send-{seed}")  # noqa: S311 - a seeded simulation, not security
        return {
            pid: rng.randint(*(_LAGGARD_DAYS if rng.random() < _LAGGARD_SHARE else _PROMPT_DAYS))
            for pid in sorted(self.chain.partners)
        }

    def _sent_at(self, submission: Submission, delay: int) -> datetime:
        """When the partner would have sent the file: master data the day before the chain
        starts; a file of dated documents `delay` days after the newest of them (a month's
        orders when the month's last order is placed, a forecast when issued); another a
        month's or the whole run's, `delay` days after it ends."""
        last = self.chain.start + timedelta(days=self.chain.days - 1)
        if submission.file in self.newest:
            last = self.newest[submission.file]
        elif submission.period:
            month = date.fromisoformat(f"{submission.period}-01")
            last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        elif DOCUMENT_TYPES[submission.document_type].master:
            return datetime.combine(self.chain.start - timedelta(days=1), _SEND_TIME)
        return datetime.combine(last + timedelta(days=delay), _SEND_TIME)

    def _mapping(self) -> dict[str, dict[str, Any]]:
        mapping: dict[str, dict[str, Any]] = {}
        for writer, doc_type in sorted(self.profiles):
            dialect = DIALECTS[self.chain.partners[writer].dialect]
            plan = column_plan(self.chain, writer=writer, doc_type=doc_type)
            mapping.setdefault(writer, {})[doc_type] = {
                "dialect": dialect.name,
                "format": dialect.fmt,
                "encoding": dialect.encoding if dialect.fmt == "csv" else None,
                "delimiter": dialect.delimiter if dialect.fmt == "csv" else None,
                "decimal_comma": dialect.decimal_comma,
                "date_format": dialect.date_parse,
                "datetime_format": dialect.ts_parse,
                "header_row": dialect.header_row,
                "columns": {c.field: c.header for c in plan if c.header},
                "constants": {c.field: c.value for c in plan if c.value is not None},
                "units": {word: code for code, word in dialect.units},
            }
        return mapping

    def _crosswalk(self) -> list[dict[str, str]]:
        rows = []
        for (pid, material), code in self.chain.codes.items():
            unit = self.chain.unit(material)
            grams = pid in GRAM_WRITERS and unit == "KGM"
            words = dict(DIALECTS[self.chain.partners[pid].dialect].units)
            rows.append(
                {
                    "partner_id": pid,
                    "partner_material_code": code,
                    "material_code": material,
                    "partner_unit": words["GRM" if grams else unit],
                    "units_per_partner_unit": "0.001" if grams else "1",
                    "description": self.chain.description(pid, material),
                }
            )
        return rows


def _outcome_row(o: Row) -> dict[str, str]:
    def qty(v: int | None) -> str:
        return "" if v is None else milli_text(v)

    def day(v: int | None) -> str:
        return "" if v is None else day_date(v).isoformat()

    return {
        "buyer_id": o["buyer_id"],
        "supplier_id": o["supplier_id"],
        "po_number": o["po_number"],
        "line_no": str(o["line_no"]),
        "material_code": o["material_code"],
        "ordered_quantity": qty(o["ordered_quantity"]),
        "confirmed_quantity": qty(o["confirmed_quantity"]),
        "shipped_quantity": qty(o["shipped_quantity"]),
        "received_quantity": qty(o["received_quantity"]),
        "unit": o["unit"],
        "requested_date": day(o["requested_date"]),
        "confirmed_date": day(o["confirmed_date"]),
        "last_receipt_date": day(o["last_receipt_date"]),
        "outcome": o["outcome"],
        "reason": o["reason"],
    }


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    if rows:
        out = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        out.writeheader()
        out.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
