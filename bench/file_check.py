"""What checking an upload in a sandboxed worker costs over checking it in the server's
process: the same shipment files of 10, 1,000 and 50,000 rows, each checked in-process and
through a warm worker (sent the job, Arrow IPC files back), median of the repeats.

    python bench/file_check.py [--smoke]

Also the start-up of a new worker (an interpreter importing the readers), paid once per
worker and again after a worker is killed for overrunning its budget.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from chainhub.api.sandbox import Budget, Sandbox
from chainhub.intake.checking import PRELOAD, check_path, check_path_within, read_columns
from chainhub.intake.schemas import SourceFormat, standard_profile

HEADER = (
    "shipment_number,shipper_id,receiver_id,ship_from_site,ship_to_site,ship_date,"
    "expected_delivery_date,line_no,material_code,quantity,unit,lot_number\n"
)
ROW = (
    "ASN-JL-{n},jinli-motor,haichuan,jinli-ningbo,haichuan-foshan,2026-03-09,2026-03-12,"
    "10,M004,50,H87,JL260309A\n"
)


def _median_ms(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print, per file size, the in-process and sandboxed check times and their difference."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="fewer repeats, smaller files")
    args = parser.parse_args()
    sizes, repeats = ((10, 1_000), 3) if args.smoke else ((10, 1_000, 50_000), 15)
    csv = SourceFormat(format="csv")
    profile = standard_profile(
        partner_id="jinli-motor",
        document_type="shipment",
        columns=HEADER.strip().split(","),
        source=csv,
    )
    sandbox = Sandbox(workers=1, budget=Budget(seconds=300, memory_mb=4096), preload=PRELOAD)
    with tempfile.TemporaryDirectory(prefix="chainhub-bench-") as folder:
        warm = Path(folder) / "warm.csv"
        warm.write_text(HEADER + ROW.format(n=0), encoding="utf-8")
        started = time.perf_counter()
        sandbox.run(read_columns, path=warm, source=csv)
        took = time.perf_counter() - started
        print(f"worker start-up (interpreter, imports, first job): {took:.2f} s")
        given = {"crosswalk": None, "submitted_by": "jinli-motor", "references": None}
        for rows in sizes:
            path = Path(folder) / f"asn-{rows}.csv"
            path.write_text(HEADER + "".join(ROW.format(n=n) for n in range(rows)), "utf-8")
            here = _median_ms(lambda p=path: check_path(path=p, profile=profile, **given), repeats)
            there = _median_ms(
                lambda p=path: check_path_within(
                    sandbox=sandbox, path=p, profile=profile, name=p.name, **given
                ),
                repeats,
            )
            print(
                f"{rows:>7,} rows: in-process {here:8.1f} ms, sandboxed {there:8.1f} ms, "
                f"overhead {there - here:+7.1f} ms"
            )
    sandbox.close()


if __name__ == "__main__":
    main()
