"""How ingest starts its workers: forked (nothing to import again) only where nothing can cross
the fork, spawned everywhere else and for every replacement worker."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from PIL import Image

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork: Linux only")


def _run(script: str) -> list:
    """What a fresh Python prints last, as JSON (a fresh process: this one has files open)."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], check=True,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_fork_only_with_no_file_thread_or_qt(tmp_path):
    seen = _run(f"""
        import json, threading, time
        from desktop.jobs.analysis_pool import fork_is_safe
        from desktop.store.db import open_case
        seen = [fork_is_safe()]
        db = open_case({str(tmp_path / "case.vigil")!r}, create=True)
        seen.append(fork_is_safe())
        db.close()
        seen.append(fork_is_safe())
        thread = threading.Thread(target=time.sleep, args=(0.5,))
        thread.start()
        seen.append(fork_is_safe())
        thread.join()
        import PySide6.QtCore
        seen.append(fork_is_safe())
        print(json.dumps(seen))
    """)
    assert seen == [True, False, True, False, False]


def test_cli_ingest_forks_its_first_workers_and_spawns_a_replacement(tmp_path):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    for i in range(4):
        Image.new("RGB", (64 + i, 48), (40 * i, 90, 200 - 40 * i)).save(evidence / f"{i}.png")
    case = tmp_path / "case.vigil"
    started = _run(f"""
        import json
        from desktop.jobs import analysis_pool
        methods = []
        start = analysis_pool.AnalysisPool._start_worker
        def recorded(self, context=None):
            methods.append((context or self._context).get_start_method())
            return start(self, context)
        analysis_pool.AnalysisPool._start_worker = recorded
        if __name__ == "__main__":
            from desktop.cli import main
            assert main(["ingest", "--quiet", "--workers", "2", "--case", {str(case)!r},
                         {str(evidence)!r}]) == 0
            with analysis_pool.AnalysisPool({str(case)!r}, 1, fork=True) as pool:
                pool.workers.append(pool._start_worker())  # as a crashed worker is replaced
            print(json.dumps(methods))
    """)
    assert started[:2] == ["fork", "fork"]
    assert started[-1] == "spawn"
    from desktop.store.db import open_case

    assert open_case(case).execute("SELECT COUNT(*) FROM media").fetchone()[0] == 4
