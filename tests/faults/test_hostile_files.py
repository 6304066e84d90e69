"""Every hostile file (HOSTILE_FILES, CUT_FILES) ingested with ordinary pictures, by the CLI."""

from __future__ import annotations

import json

from desktop.core import samples
from desktop.core.limits import MAX_DECODE_BYTES
from faults.bounded import case_rows, run_vigil
from faults.hostile_files import CUT_FILES, HOSTILE_FILES, write_hostile_files

# What one process may reach: an analysis worker's own 250 MB or so, and one decode at most
# MAX_DECODE_BYTES (estimated before decoding). Without that estimate the RGB canvas near the
# pixel limit is decoded and a worker passes 850 MB.
PEAK_LIMIT = 256 * 1024**2 + MAX_DECODE_BYTES


def test_hostile_files_get_a_status_and_a_reason_and_the_rest_goes_on(tmp_path):
    evidence = tmp_path / "evidence"
    write_hostile_files(evidence, HOSTILE_FILES + CUT_FILES)
    for seed in range(3):
        (evidence / f"ordinary_{seed}.jpg").write_bytes(samples.jpeg_bytes(samples.scene(seed)))
    case = tmp_path / "case.vigil"
    ran = run_vigil("ingest", "--json", "--workers", "2", "--case", case, evidence)
    assert ran.code == 0 and "Traceback" not in ran.stderr, ran.stderr
    assert "Tag data" not in ran.stderr  # Pillow's warnings on hostile metadata stay quiet
    assert ran.peak_rss < PEAK_LIMIT, f"a process reached {ran.peak_rss / 2**20:.0f} MiB"
    assert json.loads(ran.stdout)["seen"] == len(HOSTILE_FILES + CUT_FILES) + 3
    rows = {
        path.rsplit("/", 1)[-1]: (status, reason or "")
        for path, status, reason in case_rows(case, "SELECT path, status, reason FROM files")
    }
    for hostile in HOSTILE_FILES + CUT_FILES:
        status, reason = rows[hostile.name]
        assert status in hostile.statuses, (hostile.name, status, reason)
        assert hostile.reason in reason, (hostile.name, reason)
    assert all(rows[f"ordinary_{seed}.jpg"][0] == "ok" for seed in range(3))
