"""The same facts whatever the format: Word, Excel, PDF, .doc and GBK CSV made from the bundled table
give a graph isomorphic to the one built from the tab-separated text, apart from provenance."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pyoxigraph import Literal, Quad

from fenjie.config import bundled_example
from fenjie.graph import build_table, read_table
from fenjie.graph._vocab import FJ, PROV
from fenjie.graph.read import REGISTRY, sniff_format
from tests.fenjie_runs import Cli

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
pytestmark = pytest.mark.libreoffice  # every test reads formats LibreOffice converts

# Provenance in the reader's own terms: where a cell stood, which file and reader it came from.
PROVENANCE = {
    *(FJ.location, FJ.sourceLine, FJ.sourceFile, FJ.reader, FJ.encoding, FJ.sha256),
    *(FJ.findingLocation, FJ.findingLine),  # where a recorded finding is, as the reader tells
}


def tsv_blocks() -> tuple[list[str], list[list[list[str]]]]:
    """The bundled table as preamble lines and blocks (each a header and its rows)."""
    preamble: list[str] = []
    blocks: list[list[list[str]]] = []
    for line in bundled_example().read_text("utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) == 1:
            if line.strip() and not blocks:
                preamble.append(line.strip())
            continue
        if "工作内容" in cells:
            blocks.append([cells])
        else:
            blocks[-1].append(cells)
    return preamble, blocks


def category_runs(block: list[list[str]]) -> list[tuple[int, int]]:
    """(first, last) data-row indices of each category written once and left blank below."""
    runs, start = [], None
    for i, row in enumerate(block[1:], start=1):
        if row[0].strip():
            if start is not None and i - 1 > start:
                runs.append((start, i - 1))
            start = i
    if start is not None and len(block) - 1 > start:
        runs.append((start, len(block) - 1))
    return runs


def make_docx(path: Path) -> Path:
    """A Word document: title paragraphs, one ruled table per page with its header repeated after
    each page break, category cells merged vertically, rows that do not break across pages."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    preamble, blocks = tsv_blocks()
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(1.2))
    normal = document.styles["Normal"]
    normal.font.size = Pt(7)
    normal.font.name = "Noto Sans CJK SC"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    for line in preamble:
        document.add_paragraph(line)
    for k, block in enumerate(blocks):
        if k:
            document.add_page_break()
        table = document.add_table(rows=len(block), cols=len(block[0]))
        table.style = "Table Grid"
        for r, row in enumerate(block):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
            tr_pr = table.rows[r]._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:cantSplit"))
            if r == 0:
                tr_pr.append(OxmlElement("w:tblHeader"))
        for first, last in category_runs(block):
            table.cell(first, 0).merge(table.cell(last, 0))
    document.add_paragraph()  # Word ends a document with a paragraph, never with a table
    document.save(path)
    return path


def make_xlsx(path: Path) -> Path:
    """An Excel workbook: the title merged across the columns, the blocks over two sheets (each
    with its header), category cells merged vertically."""
    import openpyxl

    preamble, blocks = tsv_blocks()
    book = openpyxl.Workbook()
    sheets = [book.active, book.create_sheet("续表")]
    sheets[0].title = "分解表"
    width = len(blocks[0][0])
    for n, line in enumerate(preamble, start=1):
        sheets[0].cell(n, 1, line)
        sheets[0].merge_cells(start_row=n, start_column=1, end_row=n, end_column=width)
    for k, block in enumerate(blocks):
        ws = sheets[0] if k < 3 else sheets[1]
        top = ws.max_row + 2
        for r, row in enumerate(block):
            for c, text in enumerate(row, start=1):
                ws.cell(top + r, c, text or None)
        for first, last in category_runs(block):
            ws.merge_cells(start_row=top + first, start_column=1, end_row=top + last, end_column=1)
    book.save(path)
    return path


def make_gbk_csv(path: Path) -> Path:
    preamble, blocks = tsv_blocks()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in preamble:
        writer.writerow([line])
    for block in blocks:
        writer.writerows(block)
    path.write_bytes(out.getvalue().encode("gbk"))
    return path


def soffice_convert(source: Path, fmt: str, outdir: Path) -> Path:
    profile = outdir / "lo-profile"
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    command += ["--convert-to", fmt, "--outdir", str(outdir), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    return outdir / f"{source.stem}.{fmt}"


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("formats")
    made = {
        "docx": make_docx(folder / "table.docx"),
        "xlsx": make_xlsx(folder / "table.xlsx"),
        "csv": make_gbk_csv(folder / "table.csv"),
    }
    if SOFFICE:
        made["pdf"] = soffice_convert(made["docx"], "pdf", folder)
        made["doc"] = soffice_convert(made["docx"], "doc", folder)
        made["xls"] = soffice_convert(made["xlsx"], "xls", folder)  # legacy Excel, via calamine
    return made


def comparable(quads: list[Quad]) -> set[tuple]:
    """Triples without provenance; a cell's raw text compared without white space (a PDF's
    layout decides where spaces fall)."""
    out = set()
    for q in quads:
        if q.predicate in PROVENANCE:
            continue
        obj = q.object
        if q.predicate == PROV.value and isinstance(obj, Literal):
            obj = Literal("".join(obj.value.split()))
        out.add((q.subject, q.predicate, obj, q.graph_name))
    return out


@pytest.fixture(scope="module")
def reference() -> set[tuple]:
    built = build_table(read_table(bundled_example()), slug="same")
    return comparable(built.quads + built.shared_quads)


#: Readers that cannot hold the bundled table as it is, and where they are tested instead.
TESTED_ELSEWHERE = {
    "tsv": "the reference itself (tests/test_golden.py)",
    "listform": "tests/test_listform.py (a county plan written as a list)",
    "webtable": "tests/test_corpus.py (published web-page tables in tests/corpus/)",
}
#: What the ``sources`` fixture makes for every other reader, from the bundled table.
MADE = {"docx", "xlsx", "csv", "pdf", "doc", "xls"}


def test_every_registered_reader_is_tested() -> None:
    names = [reader.name for reader in REGISTRY]
    assert set(names) == MADE | set(TESTED_ELSEWHERE), "add a maker to `sources` for a new reader"
    assert len(names) == len(set(names))


def test_docs_list_every_reader() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "readers.md").read_text("utf-8")
    rows = {line.split(" | ")[0]: line for line in docs.splitlines() if line.startswith("| `")}
    for reader in REGISTRY:
        row = rows.get(f"| `{reader.name}`")
        assert row, f"docs/readers.md has no row for the {reader.name} reader"
        assert row.startswith(f"| `{reader.name}` | {reader.recognised_by} | "), row
        assert row.endswith(f" | {reader.provenance} |"), row


@pytest.mark.parametrize("kind", [r.name for r in REGISTRY if r.name not in TESTED_ELSEWHERE])
def test_same_graph_as_tab_separated(kind: str, sources, reference) -> None:
    if kind not in sources:
        pytest.skip("LibreOffice is not installed")
    table = read_table(sources[kind])
    assert table.reader == kind
    built = build_table(table, slug="same")
    got = comparable(built.quads + built.shared_quads)
    missing, extra = reference - got, got - reference
    assert not missing and not extra, (sorted(map(str, missing))[:4], sorted(map(str, extra))[:4])
    assert built.counts["work_items"] == 14
    assert table.title.startswith("长株潭国家自主创新示范区")


def test_docx_provenance_names_table_and_row(sources) -> None:
    table = read_table(sources["docx"])
    assert table.header_lines and len(table.header_lines) == len(tsv_blocks()[1])
    assert table.rows[0].location == "table 1, row 2"
    assert table.rows[-1].location.startswith(f"table {len(tsv_blocks()[1])}, ")


def test_xlsx_provenance_names_sheet(sources) -> None:
    table = read_table(sources["xlsx"])
    assert table.rows[0].location.startswith("sheet 分解表, row ")
    assert table.rows[-1].location.startswith("sheet 续表, row ")


@needs_soffice
def test_pdf_provenance_names_page(sources) -> None:
    table = read_table(sources["pdf"])
    pages = {row.location.split(",")[0] for row in table.rows}
    assert "page 1" in pages and len(pages) >= len(tsv_blocks()[1])


def test_gbk_csv_is_decoded(sources) -> None:
    table = read_table(sources["csv"])
    assert (table.reader, table.encoding) == ("csv", "gb18030")


def test_format_is_sniffed_by_content_not_extension(sources, tmp_path) -> None:
    for kind in ("docx", "xlsx", "csv"):
        renamed = tmp_path / f"download-{kind}.dat"
        renamed.write_bytes(sources[kind].read_bytes())
        assert sniff_format(renamed.read_bytes(), str(renamed)) == kind
        assert read_table(renamed).reader == kind


def test_build_command_says_which_reader(cli: Cli, sources, tmp_path) -> None:
    renamed = tmp_path / "attachment.bin"
    renamed.write_bytes(sources["docx"].read_bytes())
    done = cli("build", renamed, store=tmp_path / "s")
    assert done.returncode == 0, done.stderr
    assert "(reader: docx)" in done.stdout
