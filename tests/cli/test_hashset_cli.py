"""The known-material commands end to end: hashset, match, export --format vics, key, package."""

from __future__ import annotations

import json

from desktop.cli import main
from desktop.store import items
from desktop.store.db import open_case


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_hashset_import_list_remove(tmp_path, capsys, library_path):
    (tmp_path / "set.csv").write_text("md5,category,series\n" + "a" * 32 + ",1,S\nbad,1,S\n")
    code, out, _ = run(capsys, "hashset", "import", str(tmp_path / "set.csv"), "--name", "A")
    assert code == 0
    assert "Imported 1 records as 'A' (csv)" in out and "1 malformed records" in out
    code, out, _ = run(capsys, "hashset", "list", "--json")
    (listed,) = json.loads(out)
    assert (listed["name"], listed["record_count"], listed["bad_records"]) == ("A", 1, 1)
    code, out, _ = run(capsys, "hashset", "list")
    assert "A" in out and str(tmp_path / "set.csv") in out
    code, out, _ = run(capsys, "hashset", "remove", "A")
    assert code == 0 and "Removed 'A'" in out
    code, out, _ = run(capsys, "hashset", "list")
    assert "is empty" in out


def test_user_errors_are_one_sentence_without_traceback(tmp_path, capsys):
    code, _, err = run(capsys, "hashset", "import", str(tmp_path / "none.json"))
    assert code == 2 and err.startswith("vigil: There is no file") and "Traceback" not in err
    (tmp_path / "prose.txt").write_text("just words\n")
    code, _, err = run(capsys, "hashset", "import", str(tmp_path / "prose.txt"))
    assert code == 2 and "not a hash set" in err
    code, _, err = run(capsys, "hashset", "remove", "nothing")
    assert code == 2 and "no set named" in err
    code, _, err = run(capsys, "export", "--case", str(tmp_path / "c.vigil"), "--format", "vics",
                       str(tmp_path / "missing" / "out.json"))  # fmt: skip
    assert code == 2 and "does not exist" in err


def test_match_then_items_json_shows_the_matches(tmp_path, capsys, sample_case):
    db = open_case(sample_case)
    first = next(items.iter_media(db))
    (tmp_path / "set.csv").write_text(f"md5,category,series\n{first['md5']},1,Blue Room\n")
    run(capsys, "hashset", "import", str(tmp_path / "set.csv"), "--name", "A")
    code, out, _ = run(capsys, "match", "--case", str(sample_case), "--json")
    assert code == 0 and json.loads(out)["known"] == 1
    code, out, _ = run(capsys, "items", "--case", str(sample_case), "--json")
    media = {m["media_id"]: m for m in json.loads(out)}
    known = media[first["id"]]["known"]
    assert known["status"] == "known"
    (match,) = known["matches"]
    assert {k: match[k] for k in ("set_name", "kind", "distance", "category", "series")} == {
        "set_name": "A",
        "kind": "exact",
        "distance": 0,
        "category": 1,
        "series": "Blue Room",
    }


def test_export_vics_and_reimport(tmp_path, capsys, sample_case):
    out = tmp_path / "case.json"
    code, text, _ = run(capsys, "export", "--case", str(sample_case), "--format", "vics", str(out))
    assert code == 0 and "Wrote" in text
    assert json.loads(out.read_text())["value"][0]["SourceApplicationName"] == "Vigil"
    code, text, _ = run(capsys, "hashset", "import", str(out), "--json")
    result = json.loads(text)
    assert code == 0 and result["format"] == "vics" and result["bad_records"] == 0
    assert result["records"] == items.media_count(open_case(sample_case))


def test_keys_and_signed_packages(tmp_path, capsys, sample_case):
    key = tmp_path / "unit.pem"
    code, out, _ = run(capsys, "key", "new", str(key))
    assert code == 0 and "Fingerprint:" in out and (tmp_path / "unit.pem.pub").exists()
    package = tmp_path / "case.vpkg"
    code, out, _ = run(capsys, "package", "export", "--case", str(sample_case), str(package),
                       "--sign", str(key), "--thumbnails")  # fmt: skip
    assert code == 0 and "signed by key" in out
    other_key = tmp_path / "other.pem"
    run(capsys, "key", "new", str(other_key))
    code, _, err = run(capsys, "package", "import", "--case", str(sample_case), str(package),
                       "--trust", str(other_key) + ".pub")  # fmt: skip
    assert code == 2 and "not by the trusted key" in err
    code, out, _ = run(capsys, "package", "import", "--case", str(sample_case), str(package),
                       "--trust", str(key) + ".pub")  # fmt: skip
    assert code == 0 and "signed by the trusted key" in out


def test_known_good_sets_mark_media_known_good(tmp_path, capsys, sample_case):
    db = open_case(sample_case)
    first = next(items.iter_media(db))
    (tmp_path / "own.txt").write_text(first["sha256"] + "\n")
    own = str(tmp_path / "own.txt")
    code, _, _ = run(capsys, "hashset", "import", own, "--known-good", "--format", "digests")
    assert code == 0
    code, out, _ = run(capsys, "hashset", "list", "--json")
    assert json.loads(out)[0]["purpose"] == "known_good"
    code, out, _ = run(capsys, "match", "--case", str(sample_case), "--json")
    assert (json.loads(out)["known"], json.loads(out)["known_good"]) == (0, 1)
