"""The ``--max-*`` options of ``fenjie build``: one per reading limit (:mod:`fenjie.graph._limits`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import click

from fenjie.graph._limits import DEFAULT_LIMITS, LIMIT_FLAGS, Limits

__all__ = ["limit_options", "limits_from"]

_HELP = {
    "cells": "Grid cells (rows × columns, merged areas included) of one sheet or document.",
    "cell_chars": "Characters in one cell.",
    "rows": "Rows (lines, table rows) of one source.",
    "inflate": "Bytes the members of a .docx/.xlsx archive may inflate to.",
    "pages": "Pages of a PDF.",
    "triples": "Triples one source makes (counted before it is built, checked while it is built).",
}


def limit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--max-cells``, ``--max-cell-chars``, ``--max-rows``, ``--max-inflate``, ``--max-pages``,
    ``--max-triples``."""
    for name in reversed(Limits.names()):
        flag, unit = LIMIT_FLAGS[name]
        default = getattr(DEFAULT_LIMITS, name)
        command = click.option(
            flag,
            f"max_{name}",
            type=click.IntRange(min=1),
            default=None,
            help=f"{_HELP[name]} [default: {default:,} {unit}]",
        )(command)
    return command


def limits_from(values: Mapping[str, int | None]) -> Limits:
    """The limits with the options given on the command line raised (or lowered)."""
    given = {k.removeprefix("max_"): v for k, v in values.items() if v is not None}
    return dataclasses.replace(DEFAULT_LIMITS, **given)
