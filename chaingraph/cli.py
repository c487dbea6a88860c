"""The `chaingraph` command: parse options, call one query, print its rows.

Heavy modules (networkx, the loaders, queries) are imported inside the commands, so that
`chaingraph --help` starts fast and never loads a database driver.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from collections.abc import Callable, Iterator

import click

from . import __version__, click_words
from .errors import ChaingraphError

__all__ = ["cli", "main"]

click_words.install()  # click's own words (Usage:, Options) through chaingraph's catalog


def _(message: str) -> str:
    from .i18n import gettext
    return gettext(message)

FORMATS = ("table", "json", "csv")  # output.FORMATS, repeated so --help does not import it
_DATA = "chaingraph.data"


def _set_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        from .i18n import set_language
        set_language(value)


def _lang_option() -> click.Option:
    """`--lang zh|en`, taken by the group and by every command (`chaingraph gaps --lang zh`)."""
    return click.Option(["--lang"], type=click.Choice(("zh", "en")), expose_value=False, is_eager=True,
                        callback=_set_language,
                        help="Language of tables, reasons and messages (default: $CHAINGRAPH_LANG, "
                             "else the locale: zh_* is Chinese, else English). JSON keys and CSV "
                             "headers stay the same.")


@contextlib.contextmanager
def _help_in_language(command: click.Command, ctx: click.Context | None = None):
    """The command's help and its options' help in the current language while it is shown (the
    English texts are the msgids; `i18n.extract_help` puts them in the catalog). click's `--help`
    option is made before `--lang` takes effect, so its text is looked up again here."""
    from .i18n import gettext
    params = command.params + ([command.get_help_option(ctx)] if ctx is not None else [])
    saved = [(command, command.help)] + [(p, p.help) for p in params if getattr(p, "help", None)]
    for obj, text in saved:
        if text:
            obj.help = gettext(inspect.cleandoc(text))
    try:
        yield
    finally:
        for obj, text in saved:
            obj.help = text


class _Translated(click.Command):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _help_in_language(self, ctx):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _help_in_language(self):
            return super().get_short_help_str(limit)


def _lang_in(args: list[str]) -> str | None:
    """The last valid `--lang X` / `--lang=X` on the command line, wherever it stands."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else \
            arg[len("--lang="):] if arg.startswith("--lang=") else None
        if value in ("zh", "en"):
            found = value
    return found


class _Group(_Translated, click.Group):
    command_class = _Translated

    def main(self, args=None, *rest, **kwargs):
        from .i18n import set_language
        args = sys.argv[1:] if args is None else list(args)
        lang = _lang_in(args)
        if lang is not None:  # before click parses: its own errors (a bad option) are then in it too
            set_language(lang)
        try:
            return super().main(args, *rest, **kwargs)
        except ChaingraphError as e:  # raised outside a command (help text in a bad $CHAINGRAPH_LANG)
            if not kwargs.get("standalone_mode", True):
                raise
            click.ClickException(str(e)).show()
            raise SystemExit(1) from None
        finally:
            set_language(None)  # --lang holds for one run (tests run many in one process)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.params.append(_lang_option())
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context):
        from .i18n import current, set_language
        try:  # the environment's language, read once for the run instead of for every message and cell
            set_language(current())  # (a command's own --lang, parsed after this, still wins; main resets it)
        except ChaingraphError:
            pass  # a bad $CHAINGRAPH_LANG: reported where it is first used, as before
        # library errors become `Error: <message>` on stderr and exit 1, without a traceback
        try:
            return super().invoke(ctx)
        except ChaingraphError as e:
            from .output import printable  # names from data may hold terminal escapes
            raise click.ClickException(printable(str(e))) from e


def _remember_data(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[_DATA] = value  # meta is shared by the group and its commands


def data_option(fn: Callable) -> Callable:
    """`--data DIR`, taken by the group and by every command (`chaingraph validate --data DIR`)."""
    return click.option(
        "--data", expose_value=False,  # checked by the loader: a missing folder is one `Error:` line
        callback=_remember_data, metavar="DIR",
        help="Dataset folder (default: $CHAINGRAPH_DATA, else the shipped data/).",
    )(fn)


BASES = ("capacity", "target")  # queries.balance.BASES, repeated so --help does not import it

region_option = click.option(
    "--region", "-r", help="Region whose firms count as local (default: the dataset's home region).")
chain_option = click.option("--chain", "-c", help="Only the products of this chain (id, Chinese or English name).")


def basis_option(default: str) -> Callable:
    """`--basis capacity|target`, the basis of `balance` and what is built on it."""
    return click.option("--basis", type=click.Choice(BASES), default=default, show_default=True,
                        help="capacity: operating and building capacity; target: the guideline's output "
                             "targets where it gives them, capacity elsewhere.")


# Fields a command's table leaves out (the numbers behind its text columns); json and csv keep them.
_TABLE_HIDE = {
    "balance": ("status", "low", "high", "supply_low", "supply_high", "requirement_low", "requirement_high",
                "supply_value", "requirement_value", "balance_value", "unknown", "unit", "short_unknown_amount"),
    "extend": ("low", "high", "supply_low", "supply_high", "use_low", "use_high", "unit", "value_low", "value_high"),
}


def output_format(fn: Callable) -> Callable:
    """`--format table|json|csv` for a command that returns rows; prints them.

    The command is named after its query module, whose `COLUMNS` name the columns when there
    are no rows: CSV still prints its header, and a table says `no rows` on stderr.
    """
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                  help="table: aligned columns; json: a list of objects; csv: header and rows.")
    @functools.wraps(fn)
    def command(*args, fmt: str, **kwargs):
        import gc
        collecting = gc.isenabled()  # (the console process has it off throughout: `main`)
        gc.disable()  # a query and its output make many small objects, none cyclic: no collection walking
        try:          # every object alive after each batch of them (a third of the time)
            _write(fn, fmt, fn(*args, **kwargs))
        finally:
            if collecting:
                gc.enable()
    return command


def _write(query: Callable, fmt: str, rows: list[dict]) -> None:
    """Print the rows of a command named after its query module (`output_format`)."""
    import importlib

    from .output import render_parts
    columns = importlib.import_module(f"{__package__}.queries.{query.__name__}").COLUMNS
    hide = frozenset(_TABLE_HIDE.get(query.__name__, ()) if fmt == "table" else ())  # (a set: looked up a cell at a time)
    if hide:
        rows = [{k: v for k, v in row.items() if k not in hide} for row in rows]
        columns = tuple(c for c in columns if c not in hide)
    if fmt == "table" and rows and _GRAPH in click.get_current_context().meta:
        from .names import shown_names  # English names in an English table; JSON and CSV keep name_zh
        rows = shown_names(click.get_current_context().meta[_GRAPH], rows)
    # color=True: click would strip colour codes from a pipe, but CSV keeps the data as it is
    # (a table shows control characters escaped, JSON escapes them itself)
    for part in render_parts(rows, fmt, columns):  # a table written as it is made
        click.echo(part, nl=False, color=True)
    if not rows and fmt == "table":
        from .i18n import gettext
        click.echo(gettext("no rows"), err=True)


_GRAPH = "chaingraph.graph"


def _graph():
    from .graph import open_backend
    meta = click.get_current_context().meta
    backend = meta.get(_BACKEND, "memory")
    if backend == "memory":
        meta[_GRAPH] = open_backend("memory", meta.get(_DATA))
    else:
        meta[_GRAPH] = open_backend(backend, **_connection(meta))
    return meta[_GRAPH]


def _connection(meta: dict) -> dict:
    """--uri/--user/--password/--database as given; the backends fill in NEO4J_* and defaults."""
    return {name: meta[key] for name, key in _SERVER_OPTIONS.items() if meta.get(key) is not None}


def _remember(key: str) -> Callable:
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is not None:
            ctx.meta[key] = value
    return callback


_BACKEND = "chaingraph.backend"
_SERVER_OPTIONS = {name: f"chaingraph.{name}" for name in ("uri", "user", "password", "database")}


def backend_options(fn: Callable) -> Callable:
    """--backend and the server connection, taken by the group (`chaingraph --backend neo4j gaps`)."""
    options = [
        click.option("--backend", type=click.Choice(("memory", "neo4j", "falkordb")), expose_value=False,
                     callback=_remember(_BACKEND),
                     help="Where the graph is: memory (default; built from --data), or a server that "
                          "`load` has filled."),
        click.option("--uri", expose_value=False, callback=_remember(_SERVER_OPTIONS["uri"]),
                     help="Server address: bolt://host:7687, neo4j+s://… (default $NEO4J_URI) or "
                          "falkordb://host:port (default falkordb://127.0.0.1:6379)."),
        click.option("--user", expose_value=False, callback=_remember(_SERVER_OPTIONS["user"]),
                     help="User name (Neo4j default: $NEO4J_USERNAME, else neo4j)."),
        click.option("--password", expose_value=False, callback=_remember(_SERVER_OPTIONS["password"]),
                     help="Password (Neo4j default: $NEO4J_PASSWORD). Never printed."),
        click.option("--database", expose_value=False, callback=_remember(_SERVER_OPTIONS["database"]),
                     help="Neo4j database (default $NEO4J_DATABASE, else the server's default) or "
                          "FalkorDB graph name (default chaingraph)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@click.group(cls=_Group, params=[_lang_option()])
@click.version_option(__version__, prog_name="chaingraph")
@data_option
@backend_options
def cli() -> None:
    """Industrial chains of a city as a knowledge graph: products, chains, firms, targets.

    \b
    Example:
        chaingraph --data data/ chains coal_carbide_pvc
    """


@cli.command()
@data_option
def validate() -> None:
    """Check every file of the dataset folder and build nothing else.

    Prints the counts on success; otherwise one `Error:` line naming file, line and column.

    \b
    Example:
        chaingraph --data my_city/ validate
    """
    import sys

    from .loaders import read_store
    with _progress_bar("validating", sys.stderr.isatty()) as progress:  # into columns: no record per row
        store = read_store(click.get_current_context().meta.get(_DATA), progress=progress)
    counts = ", ".join(f"{len(store.tables[name])} {name}" for name in
                       ("products", "chains", "firms", "regions", "capacities", "targets", "links"))
    click.echo(f"OK: {counts} in {store.data_dir}")


@contextlib.contextmanager
def _progress_bar(label: str, show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A `progress(done, total)` that draws a bar on stderr, or None when `show` is false."""
    import sys
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield progress if show else None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@cli.command("load")
@data_option
def load_command() -> None:
    """Load the dataset into a Neo4j or FalkorDB server (chosen by --backend), replacing its graph.

    The dataset is checked first; bad data writes nothing. The load is atomic: if it stops
    half-way, the graph loaded before stays in use. Shows a progress bar on a terminal.

    \b
    Example:
        chaingraph --backend falkordb --uri falkordb://127.0.0.1:6379 load
        NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=… chaingraph --backend neo4j load
    """
    import sys

    from .graph import load
    meta = click.get_current_context().meta
    backend = meta.get(_BACKEND, "memory")
    if backend == "memory":
        raise click.UsageError(_("load needs a server: --backend neo4j or --backend falkordb"))
    with _progress_bar("loading", sys.stderr.isatty()) as progress:
        result = load(backend, meta.get(_DATA), progress=progress, **_connection(meta))
    seconds = result["seconds"]
    click.echo(f"loaded {result['rows']} rows into {backend} in {seconds:.2f} s "
               f"({result['rows'] / max(seconds, 1e-9):.0f} rows/s)")


@cli.command()
@data_option
@output_format
def info() -> list[dict]:
    """Count what the dataset holds: products, chains, firms, links, coefficients.

    \b
    Example:
        chaingraph info --format json
    """
    from .queries import info
    return info(_graph())


@cli.command()
@click.argument("chain", required=False)
@region_option
@data_option
@output_format
def chains(chain: str | None, region: str | None) -> list[dict]:
    """Show the chains step by step, with local firms and the status of each step.

    CHAIN is an id or a Chinese or English name; without it, every chain is shown.

    \b
    Example:
        chaingraph chains coal_carbide_pvc
    """
    from .queries import chains
    return chains(_graph(), chain=chain, region=region)


@cli.command()
@click.option("--sector", "-s", help="Only products of this sector (e.g. chlor_alkali).")
@data_option
@output_format
def products(sector: str | None) -> list[dict]:
    """List products with their local status and capacity.

    \b
    Example:
        chaingraph products --sector chlor_alkali
    """
    from .queries import products
    return products(_graph(), sector=sector)


@cli.command()
@click.option("--product", "-p", help="Only rows for this product (id, Chinese or English name or alias).")
@click.option("--region", "-r", help="Only this region and the regions below it.")
@data_option
@output_format
def firms(product: str | None, region: str | None) -> list[dict]:
    """List firms with what they make: capacity, status, project and source.

    \b
    Example:
        chaingraph firms --product 聚氯乙烯 --format csv
    """
    from .queries import firms
    return firms(_graph(), product=product, region=region)


@cli.command()
@click.option("--region", "-r", help="Only this region and the regions below it.")
@click.option("--product", "-p", help="Only targets for this product.")
@data_option
@output_format
def targets(region: str | None, product: str | None) -> list[dict]:
    """List quantitative targets: capacity, output, growth, counts.

    \b
    Example:
        chaingraph targets --product PVC
    """
    from .queries import targets
    return targets(_graph(), region=region, product=product)


@cli.command()
@click.argument("product")
@click.option("--up", is_flag=True, help="Inputs (and, for a by-product, its main product).")
@click.option("--down", is_flag=True, help="What is made from it and the by-products it yields (default).")
@click.option("--depth", type=click.IntRange(min=1), metavar="N", help="Follow at most N links.")
@data_option
@output_format
def trace(product: str, up: bool, down: bool, depth: int | None) -> list[dict]:
    """Follow FEEDS and YIELDS links from PRODUCT, with ratios and local status.

    \b
    Example:
        chaingraph trace 电石 --up --depth 2
    """
    if up and down:
        raise click.UsageError(_("give --up or --down, not both"))
    from .queries import trace
    return trace(_graph(), product, direction="up" if up else "down", depth=depth)


@cli.command()
@chain_option
@region_option
@data_option
@output_format
def gaps(chain: str | None, region: str | None) -> list[dict]:
    """List the links of each chain with no local producer, or only a planned one.

    Ranked: missing middle links first, then chains that stop short downstream, then missing
    upstream links, then chains with no local step at all.

    \b
    Example:
        chaingraph gaps --chain 煤—电石—醋酸—醋酸乙烯—PVC
    """
    from .queries import gaps
    return gaps(_graph(), region=region, chain=chain)


@cli.command()
@basis_option("target")
@region_option
@data_option
@output_format
def extend(basis: str, region: str | None) -> list[dict]:
    """How much of each local product leaves the city, largest first, as ranges: leads for extending the chains.

    Supply minus local use, with the coefficients and open terms of `balance`; products nothing in
    the graph uses are listed apart as final products, never as a surplus. Each row shows the known
    downstream products not made locally: what could extend the chain, and its value where a price
    is cited (the shipped prices, or the dataset's own prices.csv).

    \b
    Example:
        chaingraph extend --format json
    """
    from .datadir import default_data_dir
    from .queries import extend
    from .reference import prices_for
    prices = prices_for(click.get_current_context().meta.get(_DATA) or default_data_dir())
    return extend(_graph(), region=region, basis=basis, prices=prices)


@cli.command()
@click.option("--without", "-w", required=True, metavar="NAME",
              help="The firm or product that stops (id, Chinese or English name or alias).")
@region_option
@data_option
@output_format
def whatif(without: str, region: str | None) -> list[dict]:
    """Show which local products lose supply if a firm or a product stops, and how much.

    \b
    Example:
        chaingraph whatif --without 电石
    """
    from .queries import whatif
    return whatif(_graph(), without, region=region)


@cli.command()
@basis_option("capacity")
@region_option
@chain_option
@data_option
@output_format
def balance(basis: str, region: str | None, chain: str | None) -> list[dict]:
    """Local supply against local requirement per product: shortfall or surplus, in tonnes.

    Requirements follow the FEEDS coefficients from what local users make; by-products come in
    through YIELDS. Each number shows the coefficient and source behind it; a missing figure
    makes the row `unknown` (or a `≥` bound), never zero.

    \b
    Example:
        chaingraph balance --basis target --chain 石灰石—白灰—电石—PVC—新材料
    """
    from .queries import balance
    return balance(_graph(), region=region, basis=basis, chain=chain)


@cli.command()
@basis_option("target")
@region_option
@chain_option
@data_option
@output_format
def bottlenecks(basis: str, region: str | None, chain: str | None) -> list[dict]:
    """One ranked list of what the chains hang on, each row with its reasons.

    Combines shortfalls from `balance`, single-firm dependence and capacity concentration (HHI),
    and choke points of the product graph (dominators of chain end products, articulation points).

    \b
    Example:
        chaingraph bottlenecks --chain 煤—电石—醋酸—醋酸乙烯—PVC
    """
    from .queries import bottlenecks
    return bottlenecks(_graph(), region=region, chain=chain, basis=basis)


@cli.command()
@click.argument("product", required=False)
@click.option("--all-gaps", is_flag=True, help="Run for the products of every gap that `gaps` finds.")
@click.option("--as-of", type=int, metavar="YEAR",
              help="Only firms whose figure held by YEAR (e.g. the guideline's 2011).")
@click.option("--abroad", is_flag=True, help="List the plants abroad (by default they rank after domestic ones).")
@region_option
@data_option
@output_format
def candidates(product: str | None, all_gaps: bool, as_of: int | None, abroad: bool,
               region: str | None) -> list[dict]:
    """Firms elsewhere that make PRODUCT, best fit first, with the reasons per firm: whom to invite.

    The score (out of 10) weighs whether the firm's production route uses what the region
    already makes, how many local products would use its output, the firm's capacity, whether
    its plant operates, whether it also makes other products the region lacks, and nearness
    (chaingraph.queries.candidates.SCORE). Every row shows the year its figure held, the country
    and the kind of source; plants abroad rank after domestic ones.

    \b
    Example:
        chaingraph candidates 聚乙烯醇
        chaingraph candidates 醋酸 --as-of 2011
        chaingraph candidates --all-gaps --format csv
    """
    if bool(product) == all_gaps:
        raise click.UsageError(_("give a PRODUCT or --all-gaps"))
    from .queries import candidates
    return candidates(_graph(), product, region=region, all_gaps=all_gaps, as_of=as_of, abroad=abroad)


@cli.command()
@click.option("-o", "--output", "folder", default="report", show_default=True, metavar="DIR",
              type=click.Path(file_okay=False), help="Folder for report.md and report.html.")
@basis_option("target")
@region_option
@data_option
def report(folder: str, basis: str, region: str | None) -> None:
    """Write the planner's brief as Markdown and as one self-contained HTML page.

    Per chain: coverage, gaps, balance, bottlenecks and candidate firms; on top, the main gaps,
    a chart of shortfalls and surpluses, bottlenecks and products leaving the city raw.

    \b
    Example:
        chaingraph report -o report/ && xdg-open report/report.html
    """
    from .output import printable  # the summary names chains and products from the data
    from .report import build_report, step_label, write_report
    data = build_report(_graph(), region=region, basis=basis)

    def echo(text: str) -> None:
        click.echo(printable(text))

    from . import i18n
    from .i18n import gettext as _
    from .i18n import value
    for path in write_report(data, folder):
        echo(_("wrote %(path)s") % {"path": path})
    shortfalls = [r for r in data["balance"] if r["status"] == "shortfall"]
    broken = [r for r in data["gaps"] if r["kind"] == "broken"]
    echo(_("%(chains)s chains, %(gaps)s gaps (%(broken)s broken links), %(short)s shortfalls, "
           "%(bottlenecks)s bottlenecks (%(basis)s basis)") % {
        "chains": len(data["sections"]), "gaps": len(data["gaps"]), "broken": len(broken),
        "short": len(shortfalls), "bottlenecks": len(data["bottlenecks"]), "basis": value(basis)})
    for r in data["gaps"][:3]:
        echo(_("  gap: %(chain)s / %(step)s: %(reason)s") % {
            "chain": r["chain_name"], "step": step_label(r), "reason": r["reason"]})
    for r in shortfalls[:3]:
        echo(_("  shortfall: %(name)s: supply %(supply)s, requirement %(requirement)s") % {
            "name": r["name"], "supply": r["supply"], "requirement": r["requirement"]})


@cli.command()
@click.option("-o", "--output", "path", default="chaingraph.html", show_default=True, metavar="FILE.html",
              type=click.Path(dir_okay=False, allow_dash=True), help="The page to write; - for stdout.")
@click.option("--chain", "-c", help="Only this chain's products (id, Chinese or English name).")
@click.option("--focus", metavar="PRODUCT", help="Only the products within --depth links of PRODUCT.")
@click.option("--depth", type=click.IntRange(min=0), metavar="N", help="How far from --focus to draw (default 2).")
@region_option
@click.option("--firms/--no-firms", default=True, show_default=True, help="Draw the firms that make each product.")
@data_option
def viz(path: str, chain: str | None, focus: str | None, depth: int, region: str | None, firms: bool) -> None:
    """Write an interactive page of the chains that works offline: pan, zoom, drag, hover, search.

    Products are coloured by local status, firms hang off what they make (sized by capacity),
    gaps and bottleneck links stand out; hovering shows firms, capacities and sources.

    \b
    Example:
        chaingraph viz -o wuhai.html
        chaingraph viz --focus 电石 --depth 1 -o carbide.html
    """
    if depth is not None and focus is None:
        raise click.UsageError(_("--depth needs --focus"))
    from .viz import graph_data, to_html, write_html
    data = graph_data(_graph(), region=region, chain=chain, focus=focus, depth=2 if depth is None else depth,
                      firms=firms)
    if path == "-":
        click.echo(to_html(data), nl=False)
        return
    click.echo(_("wrote %(path)s: %(nodes)s nodes, %(links)s links") % {
        "path": write_html(data, path), "nodes": len(data["nodes"]), "links": len(data["edges"])})


@cli.command()
@click.argument("texts", nargs=-1, required=True, metavar="TEXT...")
@click.option("-o", "--output", "folder", required=True, metavar="DRAFT/",
              help="New folder for the draft dataset (must not exist).")
@click.option("--region", metavar="NAME", help="The home region's name (default: read from the text, e.g. 乌海市).")
@click.option("--year", type=click.IntRange(1900, 2100), metavar="YEAR",
              help="The year the text is about (default: the first year in its title).")
@click.option("--lexicon", type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="A dataset folder whose products (and coefficients) are matched first.")
def extract(texts: tuple[str, ...], folder: str, region: str | None, year: int | None, lexicon: str | None) -> None:
    """Draft a dataset from guideline texts (UTF-8 or GB18030, simplified or traditional).

    Writes chains, firms, capacities, targets, products, links and regions, every source a verbatim
    quote of the input (copied to DRAFT/sources/), and review.csv: one row per item with its
    confidence and why, lowest first.

    \b
    Example:
        chaingraph extract plan.txt -o draft/
        chaingraph validate --data draft/ && chaingraph --data draft/ gaps
    """
    from .extract import extract as run
    summary = run(list(texts), folder, region=region, year=year, lexicon=lexicon)
    click.echo(_("wrote %(folder)s: %(chains)s chains, %(firms)s firms, %(capacities)s capacity rows, "
                 "%(targets)s targets, %(products)s products (%(proposed)s proposed), %(links)s links; region "
                 "%(region)s, year %(year)s") % dict(summary, folder=folder))
    click.echo(_("review the doubtful rows first: %(review)s") % summary)


def main() -> None:
    """Console-script entry point (and `python -m chaingraph`).

    Python's cyclic garbage collector is off throughout: a command makes many small objects,
    none cyclic, and each batch of them would start a collection walking every object alive (a
    third of the time of `balance` at a million firms, with its output). Once the command has
    finished (its output written, its backend closed), the process ends without the interpreter's
    tear-down: freeing a national store's objects one by one and a last collection over all of
    them took a quarter of a second at a million firms, for nothing.

    numpy's BLAS (OpenBLAS), when a command imports numpy (graph/arrays.py), starts a thread per
    core that spins beside the command, for nothing: no command multiplies matrices. One thread
    (unless the environment says otherwise): importing numpy 0.13-0.14 -> 0.06-0.07 s of CPU here.
    """
    import gc
    import os
    gc.disable()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        cli(prog_name="chaingraph")
        code = 0
    except SystemExit as e:
        if e.code is not None and not isinstance(e.code, int):
            raise  # a message to print: the ordinary way
        code = e.code or 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - a closed pipe: leave it to the ordinary exit, as before
        sys.exit(code)
    os._exit(code)
