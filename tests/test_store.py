"""The compiled store (graph/store.py): same answers as reading the CSVs, rebuilt when any input
changes, ignored when damaged, written atomically, placed where the user can write."""
from __future__ import annotations

import functools
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import chaingraph.loaders
from chaingraph.cli import cli
from chaingraph.graph import open_backend, store
from chaingraph.loaders import default_data_dir

QUERIES = [
    ["info"], ["products"], ["firms"], ["targets"], ["gaps"], ["balance"], ["balance", "--basis", "capacity"],
    ["bottlenecks"], ["extend"], ["chains"], ["trace", "coal"], ["whatif", "--without", "coke"],
    ["candidates", "--all-gaps"],
]


def _copy(source: Path, target: Path) -> Path:
    """A copy of a dataset folder without its compiled store."""
    return Path(shutil.copytree(source, target, ignore=shutil.ignore_patterns(".chaingraph.store*")))


@pytest.fixture
def mini_copy(mini, tmp_path) -> Path:
    return _copy(mini, tmp_path / "data")


def _invoke(data: Path, args: list[str], env: dict[str, str]) -> str:
    result = CliRunner(env=env).invoke(cli, ["--data", str(data), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def no_csv_reading(monkeypatch):
    """Make reading the CSVs fail: a command that still answers used the store."""
    def refuse(*args, **kwargs):
        raise AssertionError("the CSVs were read")

    def apply():
        monkeypatch.setattr(chaingraph.loaders, "load_dataset", refuse)
        monkeypatch.setattr(chaingraph.loaders, "read_store", refuse)
    return apply


@pytest.mark.parametrize("dataset", ["mini", "shipped"])
def test_answers_are_byte_identical_with_and_without_the_store(dataset, mini, tmp_path, no_csv_reading):
    source = mini if dataset == "mini" else default_data_dir()
    data = _copy(source, tmp_path / "data")
    queries = [q for q in QUERIES if dataset == "mini" or q[0] not in ("trace", "whatif")]
    if dataset == "shipped":
        queries += [["trace", "pvc"], ["whatif", "--without", "电石"], ["firms", "--product", "pvc"]]
    plain = {tuple(q): _invoke(data, q, {"CHAINGRAPH_CACHE": "0"}) for q in queries}
    assert not (data / ".chaingraph.store").exists()
    _invoke(data, ["info"], {})  # the first command compiles the store
    assert (data / ".chaingraph.store").is_file()
    no_csv_reading()
    for q in queries:
        assert _invoke(data, q, {}) == plain[tuple(q)], q


@pytest.mark.parametrize("raw, switch", [(None, None), (0, None), (0, 16)],
                         ids=["large-arrays-mapped", "every-array-mapped", "joined-text-mapped"])
def test_records_come_back_equal(tmp_path, monkeypatch, raw, switch):
    """`raw`: arrays of more bytes than this go raw after the pickle and come back as views of the
    mapped file (0: every array, as at national size); `switch`: text columns of more distinct values
    than this are joined text (at national size: the firms' ids and names), kept in the file as
    UTF-8 bytes with byte offsets and decoded a value at a time."""
    if raw is not None:
        monkeypatch.setattr(store, "_RAW", raw)
    if switch is not None:
        monkeypatch.setattr(store.ColumnBuilder, "SWITCH", switch)
    data = _copy(default_data_dir(), tmp_path / "data")
    ds = chaingraph.loaders.load_dataset(data)
    compiled = store.open_store(data)  # builds
    reopened = store.open_store(data)  # reads the file
    if raw == 0:
        assert isinstance(reopened.tables["capacities"].columns["capacity"][1], memoryview)
        assert isinstance(reopened.indexes["firm_ids"], memoryview)
    if switch is not None:  # Chinese names: byte offsets differ from character offsets
        assert {name: type(reopened.tables["firms"].columns[name][2]) for name in ("id", "name_zh", "name_en")} \
            == dict.fromkeys(("id", "name_zh", "name_en"), store._Text)
    tables = ("regions", "products", "firms", "chains", "capacities", "targets", "links", "conversions")
    for table in tables:  # a record at a time, from a store that has built none yet (values sliced out)
        rows = store.open_store(data).tables[table]
        assert rows.rows(range(rows.n - 1, -1, -1)) == list(getattr(ds, table))[::-1], table
    groups = [(table, by) for table, index in compiled.indexes.items() if isinstance(index, dict) for by in index]
    assert ("capacities", "product") in groups
    for table, by in groups:  # the indexes' groups of rows (many groups: one array in the file, sliced)
        assert {key: list(rows) for key, rows in reopened.indexes[table][by].items()} \
            == {key: list(rows) for key, rows in compiled.indexes[table][by].items()}, (table, by)
    assert isinstance(reopened.indexes["capacities"]["product"], dict) \
        and {type(rows) for rows in reopened.indexes["capacities"]["product"].values()} == {memoryview}
    for s in (compiled, reopened):
        for table in tables:
            assert s.records(table) == getattr(ds, table), table
            assert [r.line for r in s.records(table)] == [r.line for r in getattr(ds, table)]


def test_a_changed_file_is_read_again(mini_copy, no_csv_reading):
    before = _invoke(mini_copy, ["firms"], {})
    path = mini_copy / "firms.csv"
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")[1]
    path.write_text(text.replace(first, first + "新", 1), encoding="utf-8")
    after = _invoke(mini_copy, ["firms"], {})
    assert after != before and first + "新" in after
    no_csv_reading()
    assert _invoke(mini_copy, ["firms"], {}) == after  # and compiled again


def test_touching_a_file_without_changing_it_keeps_the_store(mini_copy, no_csv_reading):
    before = _invoke(mini_copy, ["gaps"], {})
    os.utime(mini_copy / "capacities.csv", ns=(1, 1))
    no_csv_reading()
    assert _invoke(mini_copy, ["gaps"], {}) == before


def test_a_copied_folder_is_hashed_once_then_known_by_its_sizes_and_times(mini_copy, tmp_path, monkeypatch,
                                                                         no_csv_reading):
    expected = _invoke(mini_copy, ["gaps"], {})
    copied = Path(shutil.copytree(mini_copy, tmp_path / "copied"))  # new inodes and times, same content
    no_csv_reading()
    hashed = []
    digest = store._digest
    monkeypatch.setattr(store, "_digest", lambda path: hashed.append(path) or digest(path))
    assert _invoke(copied, ["gaps"], {}) == expected  # hashes every input once, reads no CSV
    assert hashed
    hashed.clear()
    assert _invoke(copied, ["gaps"], {}) == expected
    assert _invoke(copied, ["balance"], {}) == _invoke(mini_copy, ["balance"], {})
    assert hashed == []  # the store now holds the copy's sizes and times
    assert [p.name for p in copied.iterdir() if p.name.startswith(".chaingraph")] == [".chaingraph.store"]


def test_a_changed_source_text_is_checked_again(tmp_path):
    data = _copy(default_data_dir(), tmp_path / "data")
    assert CliRunner().invoke(cli, ["--data", str(data), "info"]).exit_code == 0
    guideline = data / "sources" / "wuhai_2011_guideline.txt"
    guideline.write_text(guideline.read_text(encoding="utf-8").replace("全市生产能力保持在年产3000万吨", ""),
                         encoding="utf-8")
    result = CliRunner().invoke(cli, ["--data", str(data), "info"])
    assert result.exit_code != 0 and "quote not found in sources/" in result.output


def test_bad_data_writes_no_store(mini_copy):
    (mini_copy / "capacities.csv").write_text(
        (mini_copy / "capacities.csv").read_text(encoding="utf-8") + ",minicity,nowhere,1,万吨,operating,,,x,\n",
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["--data", str(mini_copy), "gaps"])
    assert result.exit_code != 0 and result.output.startswith("Error:") and "capacities.csv" in result.output
    assert not list(mini_copy.glob(".chaingraph.store*"))


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "other format", "foreign pickle", "bad layout"])
def test_a_damaged_store_is_rebuilt(mini_copy, damage, monkeypatch):
    monkeypatch.setattr(store, "_RAW", 0)  # every array raw after the pickle
    expected = _invoke(mini_copy, ["balance"], {})
    path = mini_copy / ".chaingraph.store"
    content = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(content[:len(content) // 2])
    elif damage == "garbage":
        path.write_bytes(content[:40] + bytes(range(256)) * 8)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other format":
        header = {"code": "an older version", "inputs": {}}
        path.write_bytes(store._MAGIC + pickle.dumps(header) + content[len(store._MAGIC):])
    elif damage == "bad layout":  # the raw arrays said to lie past the layout's own place
        _, _, start = store._read(path)
        at = int.from_bytes(content[-len(store._MAGIC) - 8:-len(store._MAGIC)], "little")
        layout = pickle.dumps([(at - 8, 1000)])
        path.write_bytes(content[:start + at] + layout + at.to_bytes(8, "little") + store._MAGIC)
    else:  # a pickle that would run code when loaded: refused, never executed
        path.write_bytes(store._MAGIC + pickle.dumps({"code": os.system}))
    assert _invoke(mini_copy, ["balance"], {}) == expected
    assert store._read(path) is not None  # rewritten whole


def test_a_read_only_folder_stores_in_the_user_cache(mini_copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr(store, "_writable", lambda folder: False)
    expected = _invoke(mini_copy, ["gaps"], {"CHAINGRAPH_CACHE": "0"})
    assert _invoke(mini_copy, ["gaps"], {}) == expected
    assert not (mini_copy / ".chaingraph.store").exists()
    [written] = (cache / "chaingraph").iterdir()
    assert written.name.startswith("data-") and store._read(written) is not None
    assert _invoke(mini_copy, ["gaps"], {}) == expected


def test_two_commands_starting_at_once(tmp_path):
    data = _copy(default_data_dir(), tmp_path / "data")
    script = "import sys; from chaingraph.cli import cli; cli(['--data', sys.argv[1], 'gaps', '--format', 'json'])"
    procs = [subprocess.Popen([sys.executable, "-c", script, str(data)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1 and json.loads(outputs[0][0])
    assert [p.name for p in data.iterdir() if p.name.startswith(".chaingraph")] == [".chaingraph.store"]
    assert store._read(data / ".chaingraph.store") is not None


def test_opening_a_store_imports_no_loader(mini_copy):
    """A store read back is checked against its inputs without the CSV readers (their module and
    its parsers cost every command a twentieth of a second); a store that must be built imports them."""
    script = ("import sys; from chaingraph.graph.store import open_store; s = open_store(sys.argv[1]); "
              "print(len(s.records('products')), 'chaingraph.loaders.csvfiles' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", script, str(mini_copy)], capture_output=True, text=True,
                           timeout=300) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    count = len(chaingraph.loaders.load_dataset(mini_copy).products)
    assert [r.stdout.split() for r in runs] == [[str(count), "True"], [str(count), "False"]]


def test_one_region_builds_only_its_rows(mini_copy):
    store.open_store(mini_copy)
    g = open_backend("memory", mini_copy)
    home = g.home_region().id
    rows = g.capacities(region=home)
    capacities = g.store.tables["capacities"]
    assert rows and len(capacities._rows) == len(rows) < len(capacities)
    assert capacities._all is None and g.store.tables["firms"]._all is None


@pytest.mark.parametrize("column", [
    [], [None, None], [True, False, True], [1.5, None, 0.0, -0.0, 1e300], [2011, None, -5], [1, None, 2 ** 70],
    ["a", None, "", "中文"], ["b\0c", "d"], [("x", "y"), (), ("z",)], ["same"] * 20 + [None, "other"],
    [("same",)] * 20 + [()], [1, 1.5], [("a;b",), ("c\x1fd",)],
])
def test_columns_come_back_as_they_went_in(column):
    encoded = store._encode(column)
    assert store._decode_all(encoded, len(column)) == column
    get = store._decoder(encoded)
    back = [get(i) for i in range(len(column))]
    assert back == column and [type(v) for v in back] == [type(v) for v in column]


@pytest.mark.parametrize("column", [
    [], [None, None], [True, False, True], [True, None], [1.5, None, 0.0, -0.0, 1e300], [2011, None, -5],
    [1, None, 2 ** 70], ["a", None, "", "中文"], ["b\0c", "d"], ["d", "b\0c"], [("x", "y"), (), ("z",)],
    ["same"] * 20 + [None, "other"], [("same",)] * 20 + [()], [1, 1.5], [("a;b",), ("c\x1fd",)],
    [None] * 5 + [1.5], [None] * 3 + ["x"] * 3, [f"v{i}" for i in range(3000)] + [None, "", "v1"],
    [f"v{i}" for i in range(3000)] + ["a\0b"], [(f"v{i}", "w") for i in range(3000)] + [None, ()],
])
@pytest.mark.parametrize("batch", [1, 7, 1000])
def test_a_column_built_in_batches_decodes_as_the_whole_list(column, batch, monkeypatch):
    monkeypatch.setattr(store.ColumnBuilder, "SWITCH", 16)  # joined text from a few hundred values on
    builder = store.ColumnBuilder()
    for start in range(0, len(column), batch):
        builder.extend(column[start:start + batch])
    encoded = builder.column()
    back = store._decode_all(encoded, len(column))
    assert back == column and [type(v) for v in back] == [type(v) for v in column]
    get = store._decoder(encoded)
    assert [get(i) for i in range(len(column))] == column


@pytest.mark.parametrize("column", [
    [f"firm {i}" for i in range(12000)] + [None, ""], [f"企业{i} Ltd" for i in range(12000)] + ["", None, "é"],
    [(f"别名{i}", "x") for i in range(12000)] + [None, ()], [f"v{i}" for i in range(12000)] + ["\ud800"],
])
def test_large_joined_text_reads_back_from_the_file_a_value_at_a_time(column, monkeypatch):
    """A joined text column larger than `_RAW` is kept as UTF-8 bytes out of band, with offsets in
    bytes: read back from the buffers (as from the mapped file), every way of reading a column gives
    the values that went in; a text no UTF-8 holds (a lone surrogate) stays a str."""
    from chaingraph.graph import arrays, model
    monkeypatch.setattr(store.ColumnBuilder, "SWITCH", 16)
    builder = store.ColumnBuilder()
    builder.extend(column)
    table = store.Table(model.Region, len(column), {"id": builder.column(narrow=True)})
    assert table.columns["id"][0] == "text" and len(table.columns["id"][2]) > store._RAW
    buffers: list = []
    back = pickle.loads(pickle.dumps(table, protocol=5, buffer_callback=buffers.append),
                        buffers=[memoryview(b.raw()) for b in buffers])
    text = back.columns["id"][2]
    assert isinstance(text, str) if "\ud800" in column else isinstance(text, store._Text) and buffers
    assert back.column("id") == column
    get = back.getter("id")
    rows = list(range(len(column)))[::-1]
    assert [get(i) for i in rows] == [column[i] for i in rows]
    assert back.cells("id", rows) == [column[i] for i in rows]
    if not back.columns["id"][1] and not back.columns["id"][4]:  # plain text: numpy's reader slices it too
        assert arrays.cells(back, "id", arrays.np.array(rows)) == [column[i] for i in rows]


def test_mostly_distinct_text_is_joined_not_coded(monkeypatch):
    monkeypatch.setattr(store.ColumnBuilder, "SWITCH", 1024)
    builder = store.ColumnBuilder()
    builder.extend([f"firm {i}" for i in range(20_000)])
    assert builder.column()[0] == "text" and not builder.index
    builder = store.ColumnBuilder()
    builder.extend([f"city {i % 300}" for i in range(20_000)])
    assert builder.column()[0] == "codes" and len(builder.values) == 300


@pytest.mark.parametrize("dataset, batch", [("mini", 2), ("shipped", 3), ("shipped", 4096), ("synthetic", 500)])
def test_reading_into_columns_gives_the_records_of_the_row_reader(dataset, batch, mini, tmp_path, monkeypatch):
    """read_store puts firms and capacities straight into columns, `batch` rows at a time, each
    batch checked column by column; reading the same files into records row by row (as the small
    files are read) gives equal records, lines too."""
    from chaingraph.loaders import csvfiles
    monkeypatch.setattr(csvfiles, "BATCH", batch)
    if dataset == "synthetic":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
        import synth
        source = tmp_path / "synth"
        synth.generate(source, 3000, 7)
    else:
        source = mini if dataset == "mini" else default_data_dir()
    by_columns: list[str] = []
    monkeypatch.setattr(csvfiles, "_batch_columns", functools.partial(_spy, by_columns, csvfiles._batch_columns))
    compiled = chaingraph.loaders.read_store(source)
    assert {"firms", "capacities"} <= set(by_columns)  # some batches of each were read column by column
    ctx = csvfiles._Context(str(source))
    records = {}
    for spec in csvfiles.FILES[:5]:  # regions, products, firms, chains, capacities: all as records
        records[spec.file] = csvfiles._load_file(spec, ctx)
        if spec.file == "firms":
            ctx.indexes["firm"].region = lambda firm: ctx.indexes["firm"].by_id[firm].region
    n_firms = len(records["firms"])
    assert compiled.records("firms")[:n_firms] == records["firms"]
    assert compiled.records("capacities")[:len(records["capacities"])] == records["capacities"]
    for table in ("firms", "capacities"):
        got = compiled.records(table)[:len(records[table])]
        assert [r.line for r in got] == [r.line for r in records[table]]
        assert [r.__dict__ for r in got] == [r.__dict__ for r in records[table]]


def _spy(done: list, batch_columns, spec, *args):
    """Call the loader's `_batch_columns`; note the file when it read the batch column by column."""
    columns = batch_columns(spec, *args)
    if columns is not None:
        done.append(spec.file)
    return columns


@pytest.mark.parametrize("collecting", [True, False])
def test_opening_leaves_the_collector_as_it_found_it(mini_copy, collecting):
    import gc
    was = gc.isenabled()
    try:
        for _ in range(2):  # building the store, then reading it
            (gc.enable if collecting else gc.disable)()
            store.open_store(mini_copy)
            assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()


def test_a_command_writes_its_answer_with_the_collector_paused(mini_copy, monkeypatch):
    # the store opens inside the command, after it paused the collector: the collector stays paused
    # until the answer is written (a collection over the store's and the query's objects cost tenths
    # of a second at 1M firms), and runs again after the command
    import gc

    import chaingraph.output
    seen, render_parts = [], chaingraph.output.render_parts
    monkeypatch.setattr(chaingraph.output, "render_parts",
                        lambda *a, **k: seen.append(gc.isenabled()) or render_parts(*a, **k))
    was = gc.isenabled()
    try:
        gc.enable()
        _invoke(mini_copy, ["balance"], {})  # builds the store
        _invoke(mini_copy, ["balance"], {})  # reads it
        assert seen == [False, False] and gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
