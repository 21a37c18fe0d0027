"""View commands: ``fenjie viz VIEW -o FILE`` and ``fenjie chart load -o FILE``.

Both run on the embedded store (``--store``) or a remote SPARQL endpoint (``--endpoint``), with
the same backend options as the query commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fenjie._cli_common import echo
from fenjie._cmd_query import backend_options

if TYPE_CHECKING:
    from fenjie.queries import QueryBackend

__all__ = ["COMMANDS"]

_VIEWS = ("responsibility", "coordination", "dependency", "unit")


@click.command("viz")
@click.argument("view", type=click.Choice(_VIEWS))
@backend_options
@click.option("--unit", help="The unit of the `unit` view (full name or short form).")
@click.option(
    "--document", help="The policy document of the `dependency` view (title or short name)."
)
@click.option("--year", type=int, help="Only work items with targets in this year.")
@click.option(
    "--role",
    help="Only these roles: lead, co-responsible, supporting (comma-separated; 牵头/共同负责/配合).",
)
@click.option("--category", help="Only the work items of this task category (主要任务).")
@click.option(
    "--as-of", "as_of", help="Colour nodes by progress as of this date (red / yellow / green)."
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.html for the interactive page; FILE.graphml or FILE.gexf for the view's graph.",
)
def viz(backend: QueryBackend, view: str, output: Path, **filters: Any) -> None:
    """Draw VIEW as an interactive, offline HTML page (or export its graph).

    \b
    responsibility  units and work items, edges coloured by role
    coordination    units joined by the work items they share
    dependency      what depends on a policy document (needs --document)
    unit            one unit's ego network (needs --unit)
    """
    import time

    from fenjie.viz import build_view
    from fenjie.viz._export import write_view_graph
    from fenjie.viz._page import render_page, write_html

    started = time.perf_counter()
    drawn = build_view(backend, view, **filters)
    suffix = output.suffix.lower()
    if suffix in (".graphml", ".gexf"):
        write_view_graph(drawn, output)
    elif suffix in (".html", ".htm"):
        write_html(render_page(drawn), output)
    else:
        raise click.BadParameter(
            "请用 .html、.graphml 或 .gexf 文件 (use a .html, .graphml or .gexf file)",
            param_hint="-o",
        )
    for message in drawn.messages:
        echo(f"提示：{message}", err=True)
    echo(
        f"已写入 {output}（{drawn.graph.number_of_nodes()} 个节点，"
        f"{drawn.graph.number_of_edges()} 条边，{output.stat().st_size:,} 字节，"
        f"用时 {time.perf_counter() - started:.2f} 秒）",
        err=True,
    )


@click.group("chart")
def chart() -> None:
    """Charts for reports (PNG or SVG, Chinese labels)."""


@chart.command("load")
@backend_options
@click.option("--year", type=int, help="Only work items with targets in this year.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="load.png or load.svg",
)
def chart_load(backend: QueryBackend, year: int | None, output: Path) -> None:
    """Coordination load: work items led / co-responsible / supporting, stacked per unit."""
    from fenjie.viz._chart import write_load_chart

    write_load_chart(backend, output, year=year)
    echo(f"已写入 {output}（{output.stat().st_size:,} 字节）", err=True)


COMMANDS = [viz, chart]
