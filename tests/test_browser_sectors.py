"""A page with many sectors in Chromium: every product box is drawn in its status colour, not in a
vis-network group colour (tests/test_browser.py has the browser set-up)."""
from __future__ import annotations

from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.viz import STATUS_COLOURS

from datasets import write_dataset
from test_browser import browser, open_page  # noqa: F401 - the fixture is used by name

SECTORS = 26

# the colour vis-network resolved for each node, after its global, group and node options
DRAWN = """() => { const net = window.chaingraph.networks.graph;
  return Object.fromEntries(Object.entries(net.body.nodes).filter(([id]) => id.startsWith('p:'))
    .map(([id, n]) => [id, n.options.color.background.toLowerCase()])); }"""


def test_status_colours_win_over_sectors(browser, tmp_path):  # noqa: F811
    products = [{"id": f"p{i:02d}", "sector": f"sector{i:02d}"} for i in range(SECTORS * 2)]
    statuses = ("operating", "building", "planned")
    capacities = [(f"firm{i}", f"p{i:02d}", 10, "万吨", statuses[i % 3]) for i in range(0, SECTORS * 2, 2)]
    links = [("FEEDS", f"p{i:02d}", f"p{i + 1:02d}", None, None) for i in range(SECTORS * 2 - 1)]
    folder = write_dataset(tmp_path / "d", products=products, chains=[("c", "p00 > p01")],
                           capacities=capacities, links=links)
    out = tmp_path / "sectors.html"
    result = CliRunner().invoke(cli, ["--data", str(folder), "viz", "--no-firms", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page, problems = open_page(browser, out, screenshot="viz_sectors.png")
    assert problems == []
    drawn = page.evaluate(DRAWN)
    assert len(drawn) == SECTORS * 2
    expected = {f"p:p{i:02d}": STATUS_COLOURS[statuses[i % 3] if i % 2 == 0 else "missing"][0]
                for i in range(SECTORS * 2)}
    assert drawn == expected
    page.context.close()
