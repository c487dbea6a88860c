"""The generated pages in a real headless Chromium, opened from file:// with every network request blocked.

Each test asserts: no console error and no page error, no request outside the page itself, a
drawn canvas (pixels that are not all background), and as many nodes in vis-network as the viz
data function produced. Screenshots are saved under artifacts/ (gitignored).

Needs Debian's `chromium` (`bash scripts/bootstrap.sh test` installs it) and the `playwright`
Python package, which drives that browser: Playwright's own browser download is not used.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaingraph.cli import cli
from chaingraph.graph import open_backend
from chaingraph.report import build_report
from chaingraph.viz import chain_data, graph_data

from datasets import write_dataset

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
EVIL = "<script>alert(1)</script>"

# in CI these must run: `bash scripts/bootstrap.sh test` installs both, so a missing one is a failure there
_MISSING = None
try:
    from playwright import sync_api
except ImportError:
    _MISSING = "the playwright package is not installed: pip install -e '.[test]'"
if not Path(CHROMIUM).exists():
    _MISSING = "Debian's chromium is not installed: run `bash scripts/bootstrap.sh test`"
if _MISSING and os.environ.get("CI"):
    pytest.fail(_MISSING, pytrace=False)
elif _MISSING:
    pytest.skip(_MISSING, allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        # Playwright starts the browser with a new, empty profile of its own
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def open_page(browser, path: Path, screenshot: str | None = None, size=(1600, 1000)):
    """Open `path` offline; return (page, problems) once every network on it has settled."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, offline=True)
    page = context.new_page()
    problems: list[str] = []
    own = path.resolve().as_uri()

    def route(r):
        url = r.request.url
        if url == own or url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            problems.append(f"request outside the page: {url}")
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(own)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.cg-graph')].every(e => e.dataset.settled === 'yes')",
        timeout=60_000)
    page.wait_for_timeout(300)
    if screenshot:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / screenshot), full_page=False)
    return page, problems


# non-background pixels of each network's canvas (the canvas is transparent where nothing is drawn)
INKED = """() => Object.keys(window.chaingraph.networks).map(id => {
  const c = document.querySelector('#' + id + ' canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return [id, n];
})"""
COUNTS = """() => Object.entries(window.chaingraph.networks).map(([id, net]) => [id, net.body.data.nodes.length])"""


def test_whole_wuhai_graph(browser, tmp_path):
    out = tmp_path / "wuhai.html"
    result = CliRunner().invoke(cli, ["viz", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page, problems = open_page(browser, out, screenshot="viz_wuhai.png")
    assert problems == []
    assert all(n > 10_000 for _, n in page.evaluate(INKED))
    expected = len(graph_data(open_backend())["nodes"])
    assert page.evaluate(COUNTS) == [["graph", expected]]
    # the search box finds a node by an English alias and selects it
    page.fill("#graph-search input", "PVC")
    page.press("#graph-search input", "Enter")
    assert page.evaluate("() => window.chaingraph.networks.graph.getSelectedNodes()") == ["p:pvc"]
    # the chain menu selects a chain's products
    page.select_option("#graph-chain", "coal_carbide_pvc")
    assert "p:calcium_carbide" in page.evaluate("() => window.chaingraph.networks.graph.getSelectedNodes()")
    assert problems == []
    page.context.close()


def test_hover_shows_names_as_text(browser, tmp_path):
    folder = write_dataset(tmp_path / "d", products=["ore", "metal"], chains=[("c", "ore > metal")],
                           capacities=[("evil", "ore", 5, "万吨", "operating")],
                           links=[("FEEDS", "ore", "metal", 2, "t/t")])
    firms = folder / "firms.csv"
    firms.write_text(firms.read_text(encoding="utf-8").replace("evil,evil,", f'evil,"{EVIL}",', 1), encoding="utf-8")
    assert EVIL in graph_data(open_backend("memory", folder))["nodes"][-1]["title"]
    out = tmp_path / "evil.html"
    assert CliRunner().invoke(cli, ["--data", str(folder), "viz", "-o", str(out)]).exit_code == 0
    page, problems = open_page(browser, out, size=(900, 600))
    net = "window.chaingraph.networks.graph"
    pos = page.evaluate(f"() => {{ const p = {net}.getPositions(['f:evil'])['f:evil']; "
                        f"return {net}.canvasToDOM(p); }}")
    box = page.locator("#graph canvas").bounding_box()
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    assert EVIL in tip.inner_text()  # shown as text, not run
    assert page.evaluate("() => document.querySelectorAll('div.vis-tooltip script').length") == 0
    assert problems == []
    page.context.close()


def test_report_page(browser, tmp_path):
    result = CliRunner().invoke(cli, ["report", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page, problems = open_page(browser, tmp_path / "report.html", screenshot="report.png", size=(1280, 1400))
    assert problems == []
    g = open_backend()
    counts = dict(page.evaluate(COUNTS))
    sections = build_report(g)["sections"]
    assert len(counts) == len(sections)
    for s in sections:
        assert counts[f"chain-{s['chain'].id}"] == len(chain_data(g, s["chain"].id)["nodes"])
    assert all(n > 1000 for _, n in page.evaluate(INKED))
    assert page.locator("svg rect").count() > 0  # the shortfall / surplus chart
    # one chain's graph, for the artifact
    page.locator(".cg-graph").first.scroll_into_view_if_needed()
    page.locator(".cg-graph").first.screenshot(path=str(ARTIFACTS / "report_chain.png"))
    page.context.close()


# the smallest product label of each chain graph as drawn at its initial zoom, in CSS pixels
LABEL_PX = """() => Object.entries(window.chaingraph.networks).map(([id, net]) => {
  const sizes = net.body.data.nodes.get().filter(n => n.kind === 'product')
    .map(n => ((n.font && n.font.size) || net.body.nodes[n.id].options.font.size) * net.getScale());
  return [id, Math.min(...sizes)];
})"""


# every link label whose box, as drawn (vadjust included), overlaps a node's box (its label included)
LABEL_OVERLAPS = """() => Object.entries(window.chaingraph.networks).flatMap(([id, net]) => {
  const boxes = net.body.data.nodes.getIds().map(n => [n, net.getBoundingBox(n)]);
  const scale = net.getScale(), view = net.getViewPosition();
  net.moveTo({scale: 1, position: view, animation: false}); net.redraw();  // every label drawn and sized
  const found = [];
  net.body.data.edges.get().filter(e => e.label).forEach(e => {
    const s = net.body.edges[e.id].labelModule.size, v = (e.font && e.font.vadjust) || 0;
    if (!s.width) { found.push([id, e.from, e.to, e.label, 'not drawn']); return; }
    boxes.forEach(([n, b]) => {
      if (Math.min(s.left + s.width, b.right) > Math.max(s.left, b.left) &&
          Math.min(s.top + s.height + v, b.bottom) > Math.max(s.top + v, b.top)) found.push([id, e.from, e.to, e.label, n]);
    });
  });
  net.moveTo({scale: scale, position: view, animation: false}); net.redraw();
  return found;
})"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_fits_1280_px_labels_are_legible_and_contents_resolve(browser, tmp_path, lang):
    result = CliRunner().invoke(cli, ["report", "-o", str(tmp_path), "--lang", lang])
    assert result.exit_code == 0, result.output
    page, problems = open_page(browser, tmp_path / "report.html", size=(1280, 900),
                               screenshot=f"report_{lang}_first_screen.png")
    assert problems == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    small = [(id, round(px, 1)) for id, px in page.evaluate(LABEL_PX) if px < 11]
    assert small == [], "chain graphs whose labels are drawn below 11 px"
    assert page.evaluate(LABEL_OVERLAPS) == [], "link labels under a box"
    targets = page.evaluate("() => [...document.querySelectorAll('nav.toc a')].map(a => a.getAttribute('href'))")
    assert len(targets) == 4 + len(build_report(open_backend())["sections"])
    missing = page.evaluate("""hrefs => hrefs.filter(h => !document.getElementById(h.slice(1)))""", targets)
    assert missing == []
    if lang == "zh":
        for n, chain in enumerate(("carbon_chemicals", "mine_wash_coke_deep")):
            block = page.locator(f"#chain-{chain}")
            block.scroll_into_view_if_needed()
            block.screenshot(path=str(ARTIFACTS / f"report_zh_chain_{n + 1}_{chain}.png"))
    page.context.close()
