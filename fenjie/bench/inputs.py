"""The benchmark behind ``fenjie bench-inputs``: large and awkward inputs under 10 MB, built as a
user builds them, against Oxigraph's own load of the quads they make.

Every input is made here, seeded, and written to a temporary folder:

- legitimate plans just under the rows limit (5,000): a tab-separated file, the same rows as an
  Excel workbook and as a Word table (realistic cells: :mod:`fenjie.bench.synthetic`), and a
  list-form plan as long as the line limit allows;
- the largest synthetic plan the default triples limit lets through (``--max-triples``): the
  most a legitimate table costs to build with the default flags;
- worst cases of shape: cells just under the cell limit (many clauses, many quantities), many
  year columns, many distinct units in each cell.

Each is built by ``fenjie build --fresh`` with the default flags in a subprocess with a time cap,
and the 5,000-row plan once more with ``--max-triples`` raised (:data:`RAISED`): refused quickly
by default, built when the user asks for it. Wall time, CPU time and peak memory (the process
tree's resident set, sampled) are measured as in :mod:`fenjie.bench.build`. The baseline, on the
same machine in the same run, is ``oxigraph load`` of the quads the build stored (exported as
N-Quads): the cost of storing them at all. A refused input has no baseline: its line is the
one-line refusal, and its time is what the refusal took.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from fenjie.bench.build import CommandFailed, Measured, measure
from fenjie.bench.commands import require_oxigraph

__all__ = ["INPUTS", "InputReport", "format_reports", "make_inputs", "run_inputs"]

_MB = 1 << 20


def _plan_rows(rows: int, seed: int) -> tuple[str, list[list[str]]]:
    """Title and grid (header first) of a synthetic plan of ``rows`` work items."""
    from fenjie.bench.synthetic import synthetic_tables

    _, text = next(iter(synthetic_tables(rows, seed=seed, rows_per_table=rows)))
    lines = text.rstrip("\n").split("\n")
    return lines[0], [line.split("\t") for line in lines[2:]]


def plan_tsv(rows: int = 4_990, seed: int = 15) -> bytes:
    title, grid = _plan_rows(rows, seed)
    return ("\n".join([title, "", *("\t".join(r) for r in grid)]) + "\n").encode("utf-8")


def plan_xlsx(rows: int = 4_990, seed: int = 15) -> bytes:
    import openpyxl

    title, grid = _plan_rows(rows, seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("任务分解表")
    sheet.append([title])
    for row in grid:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_xml(text: str) -> str:
    return f"<w:tc><w:p><w:r><w:t xml:space='preserve'>{escape(text)}</w:t></w:r></w:p></w:tc>"


def plan_docx(rows: int = 4_990, seed: int = 15) -> bytes:
    """A Word document: the title, then one table of ``rows`` work items. The table's XML is
    written directly (python-docx takes minutes to add thousands of rows one by one)."""
    import docx
    from docx.oxml import parse_xml

    title, grid = _plan_rows(rows, seed)
    document = docx.Document()
    document.add_paragraph(title)
    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join("<w:tr>" + "".join(_cell_xml(c) for c in row) + "</w:tr>" for row in grid)
    table = parse_xml(f"<w:tbl xmlns:w='{namespace}'><w:tblPr/>{body}</w:tbl>")
    document.element.body.insert(len(document.element.body) - 1, table)  # before w:sectPr
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def plan_listform(tasks: int = 990, seed: int = 15) -> bytes:
    """A list-form plan (headings, numbered tasks, role lines) of five lines per task: the
    line limit (5,000) allows about a thousand tasks."""
    title, grid = _plan_rows(tasks, seed)
    lines = [f"{title.split('（')[0].removesuffix('目标任务分解表')}2023年重点工作任务分解方案", ""]
    chapter = 0
    for k, row in enumerate(grid[1:], start=1):
        if k % 100 == 1:
            chapter += 1
            lines.append(f"{'一二三四五六七八九十'[chapter - 1]}、{row[0] or '重点任务'}")
        item = row[1].split("、", 1)[-1]
        lines.append(f"{k}．{item}。{row[3]}")
        lines.append(f"牵头单位：{row[-2].split('、')[0] or '县政府办'}")
        lines.append(f"责任单位：{row[-2]}")
        lines.append(f"配合单位：{row[-1] or '县财政局'}")
        lines.append("完成时限：2023年12月底前")
    return ("\n".join(lines) + "\n").encode("utf-8")


class _Counted:
    """A byte sink that keeps nothing: the builder's count is what is asked."""

    def write(self, data: bytes) -> int:
        return len(data)


def _triples(data: bytes, name: str) -> int:
    from fenjie.graph._limits import Limits
    from fenjie.graph.builder import write_table
    from fenjie.graph.read import read_bytes

    no_limit = Limits(triples=2**62)
    built = write_table(read_bytes(data, name=name, limits=no_limit), _Counted(), limits=no_limit)
    made = built.counts["triples"]
    assert isinstance(made, int)
    return made


def at_limit(make: Callable[[int], bytes], limit: int | None = None, rows: int = 4_990) -> bytes:
    """``make(n)`` for the largest ``n`` up to ``rows`` (nearly) whose table makes at most
    ``limit`` triples (default: the default ``--max-triples``): rows are scaled down by what the
    builder counts until the table fits (two or three counts; triples grow about in proportion
    to rows, so it ends a few rows short of the largest at most)."""
    from fenjie.graph._limits import DEFAULT_LIMITS

    limit = limit or DEFAULT_LIMITS.triples
    while True:
        data = make(rows)
        made = _triples(data, "table.tsv")
        if made <= limit:
            return data
        rows = min(rows - 1, int(rows * limit / made))


def plan_at_limit(limit: int | None = None, seed: int = 15, rows: int = 4_990) -> bytes:
    """The largest plan of :func:`plan_tsv`'s kind the triples limit admits (:func:`at_limit`)."""
    return at_limit(lambda n: plan_tsv(n, seed), limit, rows)


def units_at_limit(limit: int | None = None, units: int = 100) -> bytes:
    """As many rows of ``units`` distinct units each as the triples limit admits: every unit is
    resolved and given an IRI (its name in pinyin) once, the dearest triples to make."""

    def make(rows: int) -> bytes:
        header = ["主要任务", "工作内容", "2023年目标", "责任单位"]
        lines = ["某县重点工作任务分解表", "\t".join(header)]
        for r in range(rows):
            names = "、".join(f"第{r * units + u + 1}专项工作组" for u in range(units))
            lines.append("\t".join(["重点工作", f"{r % 999 + 1}、建设项目", "建成", names]))
        return ("\n".join(lines) + "\n").encode("utf-8")

    return at_limit(make, limit, rows=1_000)


def long_cells(rows: int = 24, chars: int = 130_000, seed: int = 15) -> bytes:
    """Target cells just under the cell limit (131,072 characters), each many numbered clauses
    full of quantities: the worst case for splitting and quantity extraction."""
    rng = random.Random(seed)
    header = ["主要任务", "工作内容", "2023年目标", "责任单位"]
    lines = ["某县重点工作任务分解表", "\t".join(header)]
    for r in range(1, rows + 1):
        clauses, length, k = [], 0, 0
        while length < chars - 40:
            k += 1
            clause = f"{k}、新建{rng.randint(1, 900)}个平台，投资{rng.randint(1, 99)}亿元；"
            clauses.append(clause)
            length += len(clause)
        lines.append("\t".join(["重点工作", f"{r}、建设项目", "".join(clauses), "县发改局"]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def many_columns(rows: int = 2_000, years: int = 60) -> bytes:
    """A target column for each of ``years`` years, each cell one short quantity."""
    header = ["主要任务", "工作内容", *(f"{2000 + y}年目标" for y in range(years)), "责任单位"]
    lines = ["某县重点工作任务分解表", "\t".join(header)]
    for r in range(1, rows + 1):
        targets = [f"建成{(r * y) % 97 + 1}个" for y in range(years)]
        lines.append("\t".join(["重点工作", f"{r}、建设项目", *targets, "县发改局"]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def many_units(rows: int = 4_990, units: int = 100) -> bytes:
    """Every row names ``units`` units, drawn from 20,000 distinct names: the worst case for
    unit resolution and assignments."""
    header = ["主要任务", "工作内容", "2023年目标", "责任单位"]
    lines = ["某县重点工作任务分解表", "\t".join(header)]
    for r in range(1, rows + 1):
        names = "、".join(f"第{(r * units + u) % 20_000 + 1}工作组" for u in range(units))
        lines.append("\t".join(["重点工作", f"{r % 999 + 1}、建设项目", "建成", names]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def many_titles(titles: int = 16_000, cells: int = 20, chars: int = 130_000) -> bytes:
    """One row: a target cell of ``titles`` 《titles》 (the row's documents) and ``cells`` target
    cells of plain text just under the cell limit, each searched for bare mentions of every
    title: the worst case for finding documents."""
    named = "".join(f"《规划{k:05d}》" for k in range(titles))[:chars]
    plain = ("推进建设工作，" * (chars // 7 + 1))[:chars]
    header = ["主要任务", "工作内容", *(f"{2000 + y}年目标" for y in range(cells + 1)), "责任单位"]
    row = ["重点工作", "1、建设项目", named, *([plain] * cells), "县发改局"]
    lines = ["某县重点工作任务分解表", "\t".join(header), "\t".join(row)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def wide_xlsx(rows: int = 2_300, columns: int = 200) -> bytes:
    """A workbook of ``rows`` × ``columns`` short cells without a <dimension> (openpyxl reads such
    a sheet through once before the first row): as many cells as the inflate limit allows."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("任务分解表")
    sheet.append(["某县重点工作任务分解表"])
    sheet.append(
        ["主要任务", "工作内容", *(f"{1800 + c}年目标" for c in range(columns - 3)), "责任单位"]
    )
    for r in range(rows):
        sheet.append(
            ["重点工作", f"{r % 99 + 1}、建设项目", *(["建成"] * (columns - 3)), "县发改局"]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def one_long_item(rows: int = 2_000, items: int = 99) -> bytes:
    """One work item over ``rows`` rows (the work-item cell empty after the first), each adding
    ``items`` targets to each of two years: every target of one year precedes every target of
    the next, so the pairs grow with the square of the rows."""
    cell = "".join(f"{k}、完成{k}项；" for k in range(1, items + 1))
    lines = ["某县重点工作任务分解表", "主要任务\t工作内容\t2023年目标\t2024年目标\t责任单位"]
    lines.append(f"重点工作\t1、建设项目\t{cell}\t{cell}\t县发改局")
    lines += [f"\t\t{cell}\t{cell}\t" for _ in range(rows - 1)]
    return ("\n".join(lines) + "\n").encode("utf-8")


#: (file name, what it is, maker), each built with the default flags
INPUTS: tuple[tuple[str, str, Callable[[], bytes]], ...] = (
    ("plan-5000.tsv", "plan, 4,990 rows, TSV", plan_tsv),
    ("plan-5000.xlsx", "plan, 4,990 rows, xlsx", plan_xlsx),
    ("plan-5000.docx", "plan, 4,990 rows, docx table", plan_docx),
    ("plan-list.txt", "list-form plan, 990 tasks", plan_listform),
    ("plan-limit.tsv", "plan, the most rows the default triples limit admits, TSV", plan_at_limit),
    (
        "units-limit.tsv",
        "100 distinct units a row, as many rows as the limit admits",
        units_at_limit,
    ),
    ("long-cells.tsv", "24 cells of 130,000 characters", long_cells),
    ("many-columns.tsv", "2,000 rows × 60 year columns", many_columns),
    ("many-units.tsv", "4,990 rows × 100 units per cell", many_units),
    ("many-titles.tsv", "one row: 16,000 《titles》, 20 cells of 130,000 characters", many_titles),
    ("one-long-item.tsv", "one work item over 2,000 rows of 2 × 99 targets", one_long_item),
    ("wide.xlsx", "workbook, 2,300 rows × 200 columns (29 MB inflated)", wide_xlsx),
)


#: inputs built a second time with these flags (file name → flags): a legitimate plan over the
#: default triples limit, as a user who wants it builds it
RAISED: dict[str, tuple[str, ...]] = {"plan-5000.tsv": ("--max-triples", "1000000")}


def write_input(name: str, path: Path) -> None:
    """Write the input named ``name`` to ``path``."""
    make = next(make for input_name, _, make in INPUTS if input_name == name)
    path.write_bytes(make())


def make_inputs(folder: Path, names: list[str] | None = None) -> Iterator[tuple[str, str, Path]]:
    """Write the inputs (those named, default all) into ``folder``: (name, what, path).

    Each is made in a process of its own: making some builds tables to count their triples, and
    a process started from a large one reports the large one's peak memory as its own (Linux
    keeps the resident-set high-water mark across fork and exec), so the measuring process stays
    small."""
    for name, what, _ in INPUTS:
        if names and name not in names:
            continue
        path = folder / name
        code = "import sys, pathlib; from fenjie.bench.inputs import write_input; "
        code += "write_input(sys.argv[1], pathlib.Path(sys.argv[2]))"
        subprocess.run([sys.executable, "-c", code, name, str(path)], check=True)
        yield name, what, path


@dataclass
class InputReport:
    name: str
    what: str
    bytes: int
    outcome: str  # "built" or the refusal's line
    seconds: float
    peak_mb: float
    cpu_seconds: float = 0.0
    triples: int = 0
    load_seconds: float = 0.0
    load_mb: float = 0.0
    load_cpu_seconds: float = 0.0
    flags: tuple[str, ...] = ()  # of fenjie build, beyond the defaults


def _build(
    path: Path, store: Path, timeout: float, flags: tuple[str, ...] = ()
) -> tuple[str, Measured]:
    command = [sys.executable, "-m", "fenjie", "build", "--fresh", "--store", str(store), *flags]
    command.append(str(path))
    started = time.perf_counter()
    try:
        run = measure(["timeout", "-s", "KILL", str(timeout), *command])
    except CommandFailed as exc:
        seconds = time.perf_counter() - started
        if seconds >= timeout:
            return f"stopped at {timeout:.0f} s", exc.measured
        text = str(exc).replace(str(path.parent) + "/", "")
        errors = [line for line in text.splitlines() if line.startswith("错误：")]
        return (errors[-1] if errors else text.splitlines()[-1]), exc.measured
    return "built", run


def measure_input(
    name: str,
    what: str,
    path: Path,
    *,
    workdir: Path,
    timeout: float,
    flags: tuple[str, ...] = (),
) -> InputReport:
    store = workdir / f"store-{name}"
    outcome, run = _build(path, store, timeout, flags)
    report = InputReport(
        name, what, path.stat().st_size, outcome, run.seconds, run.peak_mb, run.cpu_seconds
    )
    report.flags = flags
    if outcome == "built":
        dump = workdir / f"{name}.nq"
        subprocess.run(
            [sys.executable, "-m", "fenjie", "export", "--store", str(store), "--format", "nq"]
            + ["-o", str(dump)],
            check=True,
            capture_output=True,
        )
        with dump.open("rb") as quads:  # one quad a line (opened here, the store would stay)
            report.triples = sum(1 for _ in quads)
        ox = workdir / f"ox-{name}"
        load = measure([require_oxigraph(), "load", "--location", str(ox), "--file", str(dump)])
        report.load_seconds, report.load_mb = load.seconds, load.peak_mb
        report.load_cpu_seconds = load.cpu_seconds
        dump.unlink()
        shutil.rmtree(ox, ignore_errors=True)
    shutil.rmtree(store, ignore_errors=True)
    for leftover in workdir.glob(f".store-{name}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return report


def run_inputs(
    names: list[str] | None = None, *, timeout: float = 120.0, workdir: Path | None = None
) -> Iterator[InputReport]:
    """Measure each input with the default flags (and those of :data:`RAISED` with theirs too),
    one report as each is done."""
    with tempfile.TemporaryDirectory(prefix="fenjie-bench-inputs-", dir=workdir) as tmp:
        folder = Path(tmp)
        for name, what, path in make_inputs(folder, names):
            yield measure_input(name, what, path, workdir=folder, timeout=timeout)
            if name in RAISED:
                yield measure_input(
                    name, what, path, workdir=folder, timeout=timeout, flags=RAISED[name]
                )
            path.unlink()


HEADER = (
    "| input | MB | flags | outcome | triples | fenjie build s (CPU s) | peak RSS MB "
    "| oxigraph load s (CPU s) | peak RSS MB | time ratio (CPU) | memory ratio |\n"
    "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"
)


def format_report(r: InputReport) -> str:
    """One row of the table under :data:`HEADER`."""
    size = f"{r.bytes / _MB:.1f}"
    flags = f"`{' '.join(r.flags)}`" if r.flags else "default"
    if r.outcome != "built":
        outcome = r.outcome.replace("|", "\\|")
        return (
            f"| {r.what} | {size} | {flags} | {outcome} | | {r.seconds:.1f} ({r.cpu_seconds:.1f}) "
            f"| {r.peak_mb:.0f} | | | | |"
        )
    return (
        f"| {r.what} | {size} | {flags} | built | {r.triples:,} "
        f"| {r.seconds:.1f} ({r.cpu_seconds:.1f}) "
        f"| {r.peak_mb:.0f} | {r.load_seconds:.1f} ({r.load_cpu_seconds:.1f}) | {r.load_mb:.0f} "
        f"| {r.seconds / r.load_seconds:.2f}x ({r.cpu_seconds / r.load_cpu_seconds:.2f}x) "
        f"| {r.peak_mb / r.load_mb:.2f}x |"
    )


def format_reports(reports: list[InputReport]) -> str:
    return "\n".join([HEADER, *(format_report(r) for r in reports)])
