"""Case packages built to hurt: a line with no end, a symbolic link listed and signed, JSON
nested past the parser."""

from __future__ import annotations

import stat
import zipfile

from cryptography.hazmat.primitives import serialization

from desktop.cli import main
from desktop.core.packages import MAX_LINE, new_keys, write_package
from desktop.store import audit
from desktop.store.db import open_case
from faults.bounded import time_limit


def _signed(path, members):
    private_pem, public_pem, _ = new_keys()
    private = serialization.load_pem_private_key(private_pem, password=None)
    write_package(path, members, {"case_id": "sender"}, private)
    key = path.with_suffix(".pub")
    key.write_bytes(public_pem)
    return key


def _import(capsys, case, package, key):
    capsys.readouterr()
    code = main(["package", "import", "--case", str(case), str(package), "--trust", str(key)])
    return code, capsys.readouterr().err


def test_a_media_list_line_with_no_end_is_refused_quickly(tmp_path, sample_case, capsys):
    zeros = (bytes(1 << 20) for _ in range((MAX_LINE >> 20) * 4))  # four times the longest line
    package = tmp_path / "endless.vpkg"
    key = _signed(
        package,
        [("work/case.json", b'{"case_id": "sender"}'), ("work/entities.json", b"[]"),
         ("work/media.jsonl", zeros)],
    )  # fmt: skip
    events = audit.head(open_case(sample_case)).events
    with time_limit(30):
        code, err = _import(capsys, sample_case, package, key)
    assert code == 2 and "longer than" in err and "Traceback" not in err
    assert audit.head(open_case(sample_case)).events == events  # nothing written


def test_a_symbolic_link_member_is_refused_though_listed_and_signed(tmp_path, sample_case, capsys):
    signed = tmp_path / "signed.vpkg"
    key = _signed(
        signed,
        [
            ("work/case.json", b'{"case_id": "sender"}'),
            ("work/entities.json", b"[]"),
            ("work/media.jsonl", b'{"sha256": "' + b"ab" * 32 + b'"}\n'),
        ],
    )  # fmt: skip  (a link's "target" is its content: here a record the case would take)
    hostile = tmp_path / "link.vpkg"
    with zipfile.ZipFile(signed) as old, zipfile.ZipFile(hostile, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "work/media.jsonl":  # same bytes, so the manifest still holds
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                info.create_system = 3  # Unix
            new.writestr(info, data)
    events = audit.head(open_case(sample_case)).events
    code, err = _import(capsys, sample_case, hostile, key)
    assert code == 2 and "not a regular file" in err
    assert audit.head(open_case(sample_case)).events == events


def test_json_nested_past_the_parser_is_refused_in_one_sentence(tmp_path, sample_case, capsys):
    deep = b"[" * 200_000 + b"]" * 200_000  # past Python's recursion limit, well under 8 MiB
    events = audit.head(open_case(sample_case)).events
    for name, members in (
        ("media", [("work/entities.json", b"[]"), ("work/media.jsonl", deep + b"\n")]),
        ("entities", [("work/entities.json", deep), ("work/media.jsonl", b"")]),
    ):
        package = tmp_path / f"{name}.vpkg"
        key = _signed(package, [("work/case.json", b'{"case_id": "sender"}'), *members])
        with time_limit(30):
            code, err = _import(capsys, sample_case, package, key)
        assert code == 2 and "Traceback" not in err and "refused" in err, (name, err)
        assert len(err.strip().splitlines()) == 1
    unsigned = tmp_path / "manifest.vpkg"  # the manifest is read before its signature
    with zipfile.ZipFile(unsigned, "w") as archive:
        archive.writestr("manifest.json", deep)
    code, err = _import(capsys, sample_case, unsigned, key)
    assert code == 2 and "manifest is malformed" in err and "Traceback" not in err
    assert audit.head(open_case(sample_case)).events == events
