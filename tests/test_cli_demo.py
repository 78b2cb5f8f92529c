"""The demo command runs on the embedded sample and is deterministic."""

from __future__ import annotations

import json

import pytest

from randsupervise.cli import main


def test_demo_json_is_deterministic_and_complete(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--json"]) == 0
    first = capsys.readouterr().out
    assert main(["demo", "--json"]) == 0
    second = capsys.readouterr().out
    assert first == second
    data = json.loads(first)
    assert data


def test_demo_text_report_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "randsupervise demo" in out
