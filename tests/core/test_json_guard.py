"""The bounded JSON stream: exact on strings, escapes and chunk boundaries; stops at each bound."""

from __future__ import annotations

import io
import json

import pytest

from desktop.core import json_guard
from desktop.core.json_guard import BoundedJson, JsonLimitError


def read_all(data: bytes, chunk: int, **kwargs) -> BoundedJson:
    guard = BoundedJson(io.BytesIO(data), **kwargs)
    while guard.read(chunk):
        pass
    return guard


TRICKY = {
    "value": [
        {
            "CaseID": 'a"[{\\',
            "Media": [{"MD5": "x", "Comments": '\\\\"]]]}}}' * 40, "Tags": [[["]"]]]}],
            "CaseNumber": "N-1 ]}",
            "ContactName": "\\\\",
        },
        {"CaseID": "second", "Media": []},
    ]
}


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 65536])
def test_strings_escapes_and_chunk_boundaries(chunk):
    data = json.dumps(TRICKY).encode()
    guard = read_all(data, chunk, keep_case_tail=True)
    tail = json.loads(b'{"_": 0' + guard.case_tail + b"}")
    assert tail == {"_": 0, "CaseNumber": "N-1 ]}", "ContactName": "\\\\"}


def test_each_bound_stops_at_its_byte(monkeypatch):
    deep = b'{"a": ' + b"[" * 65 + b"]" * 65 + b"}"
    with pytest.raises(JsonLimitError, match="deeper than 64") as error:
        read_all(deep, 8)
    assert error.value.at == 6 + 63  # the 65th level opens at that byte
    monkeypatch.setattr(json_guard, "MAX_STRING", 100)
    with pytest.raises(JsonLimitError, match="string at byte 7"):
        read_all(b'{"a": [' + b'"' + b"x" * 150 + b'"]}', 16)
    monkeypatch.setattr(json_guard, "MAX_RECORD", 1000)
    record = b'{"a": [' + b",".join([b"1"] * 600) + b"]}"
    with pytest.raises(JsonLimitError, match="record at byte 0"):
        read_all(record, 64, record_depth=1)


def test_the_bytes_before_a_fault_reach_the_parser():
    data = b'[1, 2, "' + b"x" * (json_guard.MAX_STRING + 10) + b'"]'
    guard = BoundedJson(io.BytesIO(data))
    assert guard.read(1 << 21) == b"[1, 2, "
    with pytest.raises(JsonLimitError):
        guard.read(1 << 21)
