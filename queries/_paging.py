"""Pages of a long answer: the checks of ``offset`` and ``limit``, and where a page sits.

A paged answer carries ``total`` (entries in the whole answer), ``offset``, ``limit`` and ``next``
(the offset of the next page, ``None`` on the last), so that pages asked one after another with
``next`` give, concatenated, exactly the whole answer.

>>> page_info(0, 50, 120)
{'total': 120, 'offset': 0, 'limit': 50, 'next': 50}
>>> page_info(100, 50, 120)["next"] is None
True
"""

from __future__ import annotations

from typing import Any

from fenjie.errors import ParameterError

__all__ = ["check_page", "page_info"]


def check_page(offset: int, limit: int | None) -> None:
    """Refuse a page that cannot be one: an offset below 0, a limit below 1."""
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ParameterError(
            f"offset 应为非负整数，实为 {offset!r} (offset must be 0 or more)", parameter="offset"
        )
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ParameterError(
            f"limit 应为正整数，实为 {limit!r} (limit must be 1 or more)", parameter="limit"
        )


def page_info(offset: int, limit: int, total: int) -> dict[str, Any]:
    """Where a page sits in the whole answer: its total, offset, limit and the next offset."""
    return {
        "total": total,
        "offset": offset,
        "limit": limit,
        "next": offset + limit if offset + limit < total else None,
    }
