"""A numeric scale streams to disk with bounded memory and hits its target line count."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# The peak is read from VmHWM, the high-water mark of this process's own memory map:
# getrusage's ru_maxrss keeps the peak of the process image before exec, here the test
# runner's, which grows with the suite.
_PROBE = """
import json, re, sys
from pathlib import Path
from chainhub.sim.service import do_simulate
s = do_simulate(out=Path(sys.argv[1]), scale=sys.argv[2], seed=11)
status = Path("/proc/self/status").read_text()
rss = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
print(json.dumps({"lines": s.order_and_shipment_lines, "rss_mb": rss / 1024}))
"""


@pytest.mark.slow
def test_scale_200000_bounded(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path / "big"), "200000"],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    result = json.loads(out.stdout)
    assert 180_000 <= result["lines"] <= 220_000
    assert result["rss_mb"] < 900
    manifest = json.loads((tmp_path / "big" / "manifest.json").read_text("utf-8"))
    assert manifest["scale"] == "200000"
    assert all(
        s["file"].endswith(".csv")
        for s in manifest["submissions"]
        if s["partner_id"].startswith("dealer-")
    )
