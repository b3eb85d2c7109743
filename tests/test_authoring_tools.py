"""The draft <-> notebook tools round-trip every lesson's cells, types, grade ids, points and tags."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

from conftest import COURSE, LESSONS

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lid", LESSONS)
def test_round_trip(lid):
    to_pct, to_nb = _load("ipynb_to_pct"), _load("pct_to_ipynb")
    nb = nbformat.read(COURSE.solutions / f"{lid}.ipynb", as_version=4)
    back = to_nb.convert(to_pct.convert(nb))
    assert len(back.cells) == len(nb.cells)
    for a, b in zip(nb.cells, back.cells):
        assert (a.cell_type, a.source.strip("\n")) == (b.cell_type, b.source)
        assert a.metadata.get("nbgrader", {}).get("grade_id") == b.metadata.get("nbgrader", {}).get("grade_id")
        assert a.metadata.get("nbgrader", {}).get("points") == b.metadata.get("nbgrader", {}).get("points")
        assert ("demo" in a.metadata.get("tags", [])) == ("demo" in b.metadata.get("tags", []))
