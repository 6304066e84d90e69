"""VICS export details: category schemes are never mixed, the analyst's category wins."""

from __future__ import annotations

import json

import pytest

from desktop.jobs.export_vics import export_vics
from desktop.jobs.hashset_import import import_hashset
from desktop.jobs.match import match_media
from desktop.store import items
from desktop.store.db import open_case


def uk_set(path, md5):
    doc = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media",
        "value": [{"MD5": md5, "MediaID": 1, "Category": 1, "IsPrecategorized": True}],
    }
    path.write_text(json.dumps(doc))
    return path


def exported(db, tmp_path):
    export_vics(db, tmp_path / "out.json")
    media = json.loads((tmp_path / "out.json").read_text())["value"][0]["Media"]
    return {m["MD5"]: m for m in media}


def test_a_uk_grade_is_not_exported_as_a_us_category(tmp_path, sample_case):
    db = open_case(sample_case)
    first, second = list(items.iter_media(db))[:2]
    import_hashset(uk_set(tmp_path / "caid.json", first["md5"]), name="CAID")
    (tmp_path / "list.csv").write_text(f"md5,category\n{second['md5']},2\n")
    import_hashset(tmp_path / "list.csv", name="plain list")
    match_media(db)
    out = exported(db, tmp_path)
    assert (out[first["md5"]]["Category"], out[first["md5"]]["IsPrecategorized"]) == (None, False)
    assert (out[second["md5"]]["Category"], out[second["md5"]]["IsPrecategorized"]) == (2, True)
    assert out[second["md5"]]["PrecategorizationSource"] == "plain list"


def test_the_analysts_category_wins_over_a_hash_set(tmp_path, sample_case):
    review = pytest.importorskip("desktop.store.review")
    db = open_case(sample_case)
    first = next(items.iter_media(db))
    (tmp_path / "list.csv").write_text(f"md5,category\n{first['md5']},1\n")
    import_hashset(tmp_path / "list.csv")
    match_media(db)
    review.set_category(db, [first["id"]], 4)
    record = exported(db, tmp_path)[first["md5"]]
    assert (record["Category"], record["IsPrecategorized"]) == (4, False)
    assert record["PrecategorizationSource"] is None
