"""Writes tests/data/pdq_reference.json: PDQ hashes and qualities computed by pdqhash (Meta's
ThreatExchange C++ reference, built with `pip install pdqhash`) for the pictures of
tests/helpers/pdq_inputs.py. Run once where pdqhash is installed, from the repository root:

    PYTHONPATH=tests python tests/data/make_pdq_reference.py

tests/core/test_pdq.py checks Vigil's PDQ against the file without pdqhash; where pdqhash is
installed, tests/core/test_pdq_reference_live.py also compares it live.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import numpy as np
import pdqhash
from helpers.pdq_inputs import SEEDS, SHAPES, reference_picture

OUT = Path(__file__).with_name("pdq_reference.json")


def bits_to_hex(vector: np.ndarray) -> str:
    """pdqhash's 256 bits, first element the highest bit, as ThreatExchange writes hex."""
    return np.packbits(np.asarray(vector, dtype=np.uint8)).tobytes().hex()


def main() -> None:
    rows = []
    for seed in SEEDS:
        for size in SHAPES:
            vector, quality = pdqhash.compute(np.ascontiguousarray(reference_picture(seed, size)))
            rows.append({"seed": seed, "size": list(size), "pdq": bits_to_hex(vector),
                         "quality": int(quality)})  # fmt: skip
    info = {"made_by": f"pdqhash {metadata.version('pdqhash')}",
            "script": "tests/data/make_pdq_reference.py", "pictures": rows}  # fmt: skip
    lines = ",\n".join("  " + json.dumps(row) for row in rows)
    header = json.dumps({k: v for k, v in info.items() if k != "pictures"})[:-1]
    OUT.write_text(f'{header}, "pictures": [\n{lines}\n]}}\n')
    print(f"wrote {len(rows)} reference hashes to {OUT}")


if __name__ == "__main__":
    main()
