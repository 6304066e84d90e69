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


def test_a_forked_worker_runs_one_blas_thread(tmp_path):
    """This process's numpy was loaded with a BLAS thread per core; a forked worker must not
    keep them (they spin: an ingest took twice the CPU)."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    (evidence / "a.bin").write_bytes(b"x")
    case = tmp_path / "case.vigil"
    reasons = _run(f"""
        import json, os
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.pop(name, None)
        import numpy  # a BLAS thread per core in this process
        from threadpoolctl import threadpool_info
        from desktop.core.ingest import FileAnalysis
        from desktop.jobs.ingest import ingest
        from desktop.store.db import open_case

        def blas_threads(path):
            counts = [pool["num_threads"] for pool in threadpool_info()
                      if pool["user_api"] == "blas"]
            return FileAnalysis(path, "unsupported", f"blas {{max(counts)}}")

        if __name__ == "__main__":
            ingest({str(case)!r}, [{str(evidence)!r}], workers=1, analyse=blas_threads)
            rows = open_case({str(case)!r}).execute("SELECT reason FROM files").fetchall()
            print(json.dumps([r[0] for r in rows]))
    """)
    assert reasons == ["blas 1"]
