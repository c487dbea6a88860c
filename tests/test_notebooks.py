"""Notebooks are stored without outputs, and run against the current library: their code cells
with exec() here, and the whole notebook in a real Jupyter kernel (nbclient + ipykernel)."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
# something each notebook must print, so a cell that silently prints nothing is caught
EXPECTED = {"explore_wuhai.ipynb": "电石渣",  # the trace cell reached carbide slag
            "planner_walkthrough.ipynb": "missing middle link between calcium carbide and PVC"}


def test_there_is_a_notebook():
    assert NOTEBOOKS and {p.name for p in NOTEBOOKS} == set(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_clean_and_runs(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    namespace: dict = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for cell in code:
            exec(compile("".join(cell["source"]), f"{path.name} cell {cell['id']}", "exec"), namespace)
    assert EXPECTED[path.name] in printed.getvalue()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes_in_a_kernel(path):
    nbformat = pytest.importorskip("nbformat", reason="pip install -e '.[test]' (nbclient, ipykernel)")
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stdout")
    assert EXPECTED[path.name] in text
    if path.name == "planner_walkthrough.ipynb":  # the graph is rendered inline, self-contained
        shown = [o.data["text/html"] for o in outputs if o.output_type == "display_data" and "text/html" in o.data]
        assert len(shown) == 1 and shown[0].startswith("<div><iframe srcdoc=") and "vis-network" in shown[0]
