"""Onboarding on real ERP exports: `profile suggest` placing the columns of files written from
vendor documentation (tests/intake/erp_samples), and `conform` with the drafted profile finding
the rows planted bad, next to a naive baseline that places a column only when its header is a
standard field's name or its English or Chinese label.

    python bench/onboarding.py [--smoke] [--samples DIR]

The set is small, so --smoke runs all of it. The last line sums it up:
`onboarding columns X/Y right (Z%), confident wrong N, bad rows found A/B, false alarms C`.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from chainhub.errors import ChainhubError
from chainhub.intake.service import check_file
from chainhub.intake.suggest import ProfileSuggestion, suggest_profile
from chainhub.standard.service import get_document_schema

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "intake" / "erp_samples"
CONFIDENT = 0.9


@dataclass
class SampleScore:
    """How the engine did on one sample."""

    name: str
    columns: int = 0
    right: int = 0
    baseline_right: int = 0
    wrong: list[tuple[str, str, str | None, float]] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    planted: int = 0
    found: int = 0
    false_alarms: int = 0
    missed: list[int] = field(default_factory=list)
    alarms: list[int] = field(default_factory=list)
    alarm_rules: dict[str, int] = field(default_factory=dict)
    note: str = ""

    @property
    def confident_wrong(self) -> int:
        """Wrong placements shown at confidence CONFIDENT or more."""
        return sum(1 for *_, confidence in self.wrong if confidence >= CONFIDENT)


def load_truths(directory: Path) -> list[dict[str, Any]]:
    """Every sample's truth, in file-name order."""
    return [json.loads(path.read_text("utf-8")) for path in sorted(directory.glob("*.truth.json"))]


def _labels(document_type: str) -> dict[str, str]:
    """Header text (lower-cased) → field, from the standard's field names and zh/en labels."""
    schema = get_document_schema(document_type=document_type, record=True)
    out: dict[str, str] = {}
    for name, prop in schema["properties"].items():
        for text in (name, prop.get("description"), prop.get("x-description-zh")):
            if isinstance(text, str) and text:
                out.setdefault(text.strip().lower(), name)
    return out


def baseline(document_type: str, columns: list[str]) -> dict[str, str]:
    """Naive placement: a column whose header equals a field's name or label, first one wins."""
    labels = _labels(document_type)
    placed: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        name = labels.get(column.strip().lower())
        if name is not None and name not in taken:
            placed[column] = name
            taken.add(name)
    return placed


def _source_names(truth: dict[str, Any], suggestion: ProfileSuggestion) -> list[str]:
    """The file's column names as the reader named them, in file order (repeated headers get
    the reader's suffixes), matched up with the truth's list by position."""
    seen = [p.column for p in suggestion.placements] + list(suggestion.unplaced)
    names: list[str] = []
    counts: dict[str, int] = {}
    for entry in truth["columns"]:
        column = entry["column"]
        counts[column] = counts.get(column, 0) + 1
        if counts[column] == 1 or column not in seen:
            candidates = [column]
        else:
            candidates = [
                s for s in seen if s.startswith(column) and s != column and s not in names
            ]
        names.append(candidates[0] if candidates else column)
    return names


def score_placements(
    truth: dict[str, Any], suggestion: ProfileSuggestion, score: SampleScore
) -> None:
    """Columns placed right, wrong (with their confidence) and left unplaced."""
    by_column: dict[str, tuple[str, float]] = {}
    for p in suggestion.placements:
        by_column.setdefault(p.column, (p.field, p.confidence))
    names = _source_names(truth, suggestion)
    base = baseline(truth["document_type"], [e["column"] for e in truth["columns"]])
    for name, entry in zip(names, truth["columns"], strict=True):
        expected = entry["field"]
        score.columns += 1
        if base.get(entry["column"]) == expected:
            score.baseline_right += 1
        got = by_column.get(name)
        placed = got[0] if got is not None else None
        if placed == expected:
            score.right += 1
        elif placed is None:
            score.unplaced.append(entry["column"])
        else:
            score.wrong.append((entry["column"], placed, expected, got[1] if got else 0.0))


def score_conform(
    truth: dict[str, Any], suggestion: ProfileSuggestion, path: Path, score: SampleScore
) -> None:
    """Rows the drafted profile's check reports, against the rows planted bad."""
    planted = {b["record"] for b in truth["bad_rows"]}
    score.planted = len(planted)
    try:
        result = check_file(
            conn=None, path=path, profile=suggestion.profile, records=False, partial=True
        )
    except ChainhubError as error:
        score.note = f"conform failed: {error.message_en}"
        score.missed = sorted(planted)
        return
    if result.unmapped:
        score.note = f"profile leaves out required {', '.join(result.unmapped)}"
    reported = {int(r) for r in result.errors["row"].drop_nulls().to_list()}
    score.found = len(planted & reported)
    score.missed = sorted(planted - reported)
    score.alarms = sorted(reported - planted)
    score.false_alarms = len(score.alarms)
    alarms = result.errors.filter(pl.col("row").is_in(score.alarms))
    for (rule, name), count in Counter(alarms.select("rule", "field").rows()).items():
        score.alarm_rules[f"{rule} on {name}"] = count


def run_sample(truth: dict[str, Any], directory: Path) -> SampleScore:
    """Suggest a profile for one sample with its partner, then check the file with it."""
    path = directory / truth["file"]
    score = SampleScore(name=truth["file"])
    try:
        suggestion = suggest_profile(
            path=path, document_type=truth["document_type"], partner_id=truth["partner"]
        )
    except ChainhubError as error:
        score.columns = len(truth["columns"])
        score.unplaced = [e["column"] for e in truth["columns"]]
        score.planted = len(truth["bad_rows"])
        score.note = f"suggest failed: {error.code}"
        base = baseline(truth["document_type"], [e["column"] for e in truth["columns"]])
        score.baseline_right = sum(
            1 for e in truth["columns"] if base.get(e["column"]) == e["field"]
        )
        return score
    score_placements(truth, suggestion, score)
    score_conform(truth, suggestion, path, score)
    return score


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def report(scores: list[SampleScore]) -> str:
    """The per-sample table, the details of what went wrong, and the summary line."""
    lines = [
        f"{'sample':<38} {'right':>7} {'base':>6} {'wrong':>5} {'conf.wrong':>10} "
        f"{'unplaced':>8} {'bad found':>9} {'false':>5}"
    ]
    for s in scores:
        lines.append(
            f"{s.name:<38} {f'{s.right}/{s.columns}':>7} {s.baseline_right:>6} {len(s.wrong):>5} "
            f"{s.confident_wrong:>10} {len(s.unplaced):>8} {f'{s.found}/{s.planted}':>9} "
            f"{s.false_alarms:>5}"
        )
    lines.append("")
    for s in scores:
        for column, placed, expected, confidence in s.wrong:
            lines.append(
                f"  {s.name}: {column!r} placed as {placed} ({confidence:.2f}), is {expected}"
            )
        if s.unplaced:
            lines.append(f"  {s.name}: unplaced {', '.join(map(repr, s.unplaced))}")
        if s.missed:
            lines.append(f"  {s.name}: planted bad rows not reported {s.missed}")
        if s.alarms:
            why = ", ".join(f"{k} ×{n}" for k, n in sorted(s.alarm_rules.items()))
            lines.append(f"  {s.name}: rows reported but not planted {s.alarms} ({why})")
        if s.note:
            lines.append(f"  {s.name}: {s.note}")
    columns = sum(s.columns for s in scores)
    right = sum(s.right for s in scores)
    base = sum(s.baseline_right for s in scores)
    lines.append("")
    lines.append(
        f"baseline (exact header = field name or label): columns {base}/{columns} right "
        f"({_pct(base, columns)})"
    )
    lines.append(
        f"onboarding columns {right}/{columns} right ({_pct(right, columns)}), "
        f"confident wrong {sum(s.confident_wrong for s in scores)}, "
        f"bad rows found {sum(s.found for s in scores)}/{sum(s.planted for s in scores)}, "
        f"false alarms {sum(s.false_alarms for s in scores)}"
    )
    return "\n".join(lines)


def measure(directory: Path = SAMPLES) -> list[SampleScore]:
    """Every sample in `directory` scored."""
    return [run_sample(truth, directory) for truth in load_truths(directory)]


def main() -> None:
    """Parse the options, run every sample, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="the whole (small) set; the default")
    parser.add_argument("--samples", type=Path, default=SAMPLES, help="directory of samples")
    args = parser.parse_args()
    print(report(measure(args.samples)))


if __name__ == "__main__":
    main()
