"""Commands: masterdata review, masterdata units."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from chainhub.cli.common import DbOption, console, hub_transaction, load_settings, usage_error
from chainhub.masterdata import service
from chainhub.masterdata.chain_model import prepared_store
from chainhub.masterdata.schemas import DecisionRead, SuggestionRead, UnknownCodeRead
from chainhub.standard.unit_words import unit_aliases
from chainhub.standard.units import UNITS


class OutputFormat(StrEnum):
    """How review prints."""

    TABLE = "table"
    JSON = "json"


def _pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        code, sep, golden = value.partition("=")
        if not sep or not code.strip() or not golden.strip():
            usage_error("bad_pair", f"{option} takes CODE=GOLDEN, not {value!r}",
                        f"{option} 的格式为 伙伴编码=标准编码，而不是 {value!r}")  # fmt: skip
        pairs.append((code.strip(), golden.strip()))
    return pairs


def review(
    db: DbOption = None,
    partner: Annotated[str | None, typer.Option(help="Only this partner's codes")] = None,
    accept: Annotated[
        list[str] | None, typer.Option(help="Map a partner code: CODE=GOLDEN (repeatable)")
    ] = None,
    reject: Annotated[
        list[str] | None, typer.Option(help="Refuse a suggestion: CODE=GOLDEN (repeatable)")
    ] = None,
    auto_accept: Annotated[
        bool, typer.Option("--auto-accept", help="Accept best suggestions above the threshold")
    ] = False,
    threshold: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Confidence needed to auto-accept (default $CHAINHUB_MASTERDATA_AUTO_ACCEPT_"
            "THRESHOLD, 0.7)",
        ),
    ] = None,
    by: Annotated[str, typer.Option(help="Who decides, as recorded")] = service.HUB_SUBMITTER,
    output: Annotated[OutputFormat, typer.Option("--format", help="table or json")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """List unknown partner codes with ranked suggestions, and apply decisions."""
    accepts, rejects = _pairs(accept or [], "--accept"), _pairs(reject or [], "--reject")
    if (accepts or rejects) and partner is None:
        usage_error("partner_needed", "--accept and --reject need --partner",
                    "--accept 与 --reject 需要同时指定 --partner")  # fmt: skip
    decisions: list[DecisionRead] = []
    settings = load_settings(db)
    with hub_transaction(db, deliver=True) as conn:
        service.do_suggest_matches(
            conn=conn, partner_id=partner, store=prepared_store(settings.data_dir)
        )
        for code, golden in accepts:
            decisions.append(service.do_accept_match(
                conn=conn, partner_id=str(partner), partner_material_code=code,
                material_code=golden, decided_by=by))  # fmt: skip
        for code, golden in rejects:
            decisions.append(service.do_reject_match(
                conn=conn, partner_id=str(partner), partner_material_code=code,
                material_code=golden, decided_by=by))  # fmt: skip
        if auto_accept:
            decisions += service.do_auto_accept(
                conn=conn,
                threshold=settings.masterdata_auto_accept_threshold
                if threshold is None
                else threshold,
                decided_by=by,
                partner_id=partner,
            )
        codes = service.list_unknown_codes(conn=conn, partner_id=partner)
        suggestions = service.list_suggestions(conn=conn, partner_id=partner)
    if output is OutputFormat.JSON:
        console.print_json(json.dumps(_as_json(codes, suggestions, decisions)))
        return
    for d in decisions:
        flag = " (auto, flagged)" if d.flagged else ""
        console.print(f"{d.decision.value}: {d.partner_id} {d.partner_material_code} -> "
                      f"{d.material_code}{flag}", highlight=False)  # fmt: skip
    console.print(_table(codes, suggestions))


def _as_json(
    codes: list[UnknownCodeRead], suggestions: list[SuggestionRead], decisions: list[DecisionRead]
) -> dict[str, object]:
    by_code: dict[tuple[str, str], list[dict[str, object]]] = {}
    for s in suggestions:
        by_code.setdefault((s.partner_id, s.partner_material_code), []).append(
            s.model_dump(mode="json", exclude={"partner_id", "partner_material_code"})
        )
    return {
        "decisions": [d.model_dump(mode="json") for d in decisions],
        "open_codes": [
            {
                **c.model_dump(mode="json"),
                "suggestions": by_code.get((c.partner_id, c.partner_material_code), []),
            }
            for c in codes
        ],  # fmt: skip
    }


def _table(codes: list[UnknownCodeRead], suggestions: list[SuggestionRead]) -> Table:
    by_code: dict[tuple[str, str], list[SuggestionRead]] = {}
    for s in suggestions:
        by_code.setdefault((s.partner_id, s.partner_material_code), []).append(s)
    table = Table("partner", "code", "description", "unit", "seen", "suggestions",
                  title=f"{len(codes)} open unknown codes")  # fmt: skip
    for c in codes:
        ranked = by_code.get((c.partner_id, c.partner_material_code), [])
        table.add_row(
            c.partner_id, c.partner_material_code, c.description or "", c.unit or "",
            str(c.occurrences),
            "\n".join(f"{s.rank}. {s.material_code} {s.confidence:.2f} {', '.join(s.reasons)}"
                      for s in ranked),
        )  # fmt: skip
    return table


def units() -> None:
    """Print the UN/ECE Rec 20 units with the words partners write for them."""
    words: dict[str, list[str]] = {}
    for word, code in sorted(unit_aliases().items()):
        words.setdefault(code, []).append(word)
    table = Table("code", "name", "名称", "dimension", "factor", "partner words")
    for unit in UNITS.values():
        table.add_row(unit.code, unit.name_en, unit.name_zh, unit.dimension, str(unit.factor),
                      " ".join(words.get(unit.code, [])))  # fmt: skip
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to `app`."""
    md_app = typer.Typer(
        name="masterdata", help="Golden materials, partner codes and units.", no_args_is_help=True
    )
    md_app.command("review")(review)
    md_app.command("units")(units)
    app.add_typer(md_app)
