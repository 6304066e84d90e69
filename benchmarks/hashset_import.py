"""Benchmark: import a generated 1,000,000-record VICS file; time and peak memory.

Targets (issue 5): under 60 s and under 500 MiB. The baseline, measured in the same run on the
same file, is a bare streaming parse of the Media records with ijson (no validation, no
database): the ratio says how much the import costs over just reading the JSON.

    python benchmarks/hashset_import.py [--records 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 60.0
TARGET_MIB = 500.0


def write_vics(path: Path, records: int) -> None:
    """A US-scheme Cases file with realistic Media records (SHA-1, SHA-256 and PDQ, flags)."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '{"@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/'
            'US/$metadata#Cases", "value": [{"CaseID": "bench", "CaseNumber": "B-1", '
            f'"TotalMediaFiles": {records}, "Media": ['
        )
        for i in range(records):
            seed = i.to_bytes(8, "little")
            md5 = hashlib.md5(seed).hexdigest()
            sha256 = hashlib.sha256(seed).hexdigest()
            media = {
                "MD5": md5.upper() if i % 10 == 0 else md5,  # some tools write upper case
                "MediaID": i + 1,
                "Category": i % 5 if i % 7 else None,
                "SHA1": hashlib.sha1(seed).hexdigest(),
                "IsPrecategorized": "true" if i % 2 else True,  # and booleans as strings
                "VictimIdentified": i % 11 == 0,
                "Series": f"Series {i % 500}" if i % 3 == 0 else None,
                "MediaSize": 10_000 + i,
                "AlternativeHashes": [
                    {"MD5": md5, "HashName": "SHA256", "HashValue": sha256},
                    {
                        "MD5": md5,
                        "HashName": "PDQ",
                        "HashValue": hashlib.sha256(seed + b"p").hexdigest(),
                    },
                ],
            }
            out.write(("," if i else "") + json.dumps(media, separators=(",", ":")))
        out.write("]}]}")


_CHILD_BASELINE = """
import resource, sys, time, ijson
start = time.monotonic()
with open(sys.argv[1], "rb") as handle:
    count = sum(1 for _ in ijson.items(handle, "value.item.Media.item"))
print(count, time.monotonic() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

_CHILD_IMPORT = """
import os, resource, sys, time
os.environ["VIGIL_HASH_LIBRARY"] = sys.argv[2]
from desktop.jobs.hashset_import import import_hashset
start = time.monotonic()
result = import_hashset(sys.argv[1], name="benchmark")
print(result.records, time.monotonic() - start, result.bad_records,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _child(code: str, *args: str) -> list[str]:
    """Run code in a fresh process (so its peak memory is its own); the fields it printed.

    The last field is the child's peak resident memory (ru_maxrss, KiB on Linux)."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="vigil-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    source, library = folder / "vics_1m.json", folder / "library.sqlite"
    library.unlink(missing_ok=True)
    if not source.exists():
        started = time.monotonic()
        write_vics(source, args.records)
        print(f"generated {args.records} records, {source.stat().st_size / 2**20:.0f} MiB "
              f"in {time.monotonic() - started:.1f} s")  # fmt: skip
    count, base_seconds, base_kib = _child(_CHILD_BASELINE, str(source))
    records, seconds, bad, kib = _child(_CHILD_IMPORT, str(source), str(library))
    base_seconds_f, seconds_f = float(base_seconds), float(seconds)
    base_mib, mib = int(base_kib) / 1024, int(kib) / 1024
    print(f"baseline: bare ijson parse of {count} Media records: {base_seconds_f:.1f} s, "
          f"{int(count) / base_seconds_f:,.0f} records/s, peak {base_mib:.0f} MiB")  # fmt: skip
    print(f"import:   {records} records ({bad} bad) into the hash library: {seconds_f:.1f} s, "
          f"{int(records) / seconds_f:,.0f} records/s, peak {mib:.0f} MiB, "
          f"library {library.stat().st_size / 2**20:.0f} MiB")  # fmt: skip
    print(f"ratio import/baseline time: {seconds_f / base_seconds_f:.2f}x")
    ok = seconds_f < TARGET_SECONDS and mib < TARGET_MIB
    print(f"targets < {TARGET_SECONDS:.0f} s and < {TARGET_MIB:.0f} MiB: "
          f"{'met' if ok else 'NOT met'}")  # fmt: skip
    if not args.keep:
        for path in (source, library, Path(str(library) + "-wal"), Path(str(library) + "-shm")):
            path.unlink(missing_ok=True)
        os.rmdir(folder)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
