"""Source text made safe for a terminal or a log line: control characters shown, never obeyed.

A cell, a unit name or a file name comes from a source someone else wrote. Printed as it is, an
``ESC ]0;…`` sequence retitles the terminal, ``ESC [2J`` clears it, ``\\r`` or ``\\x0b`` rewrites a
line, ``U+2029`` breaks a one-line message, and bidirectional overrides reorder what is shown.
:func:`printable` writes each such character as a ``\\uXXXX`` escape (valid inside JSON strings as
well), so what is printed is exactly what the source holds, and only that. Every place where fenjie
prints or logs text that may come from a source goes through it (the CLI's ``echo``, its error
line, the server's error log).

>>> printable("省科技厅\\x1b]0;pwned\\x07、省财政厅\\u2029")
'省科技厅\\\\u001b]0;pwned\\\\u0007、省财政厅\\\\u2029'
>>> printable("第一行\\n第二行"), printable("第一行\\n第二行", keep_newlines=False)
('第一行\\n第二行', '第一行\\\\u000a第二行')
"""

from __future__ import annotations

__all__ = ["printable"]

_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
#: C0 and C1 controls and DEL (tab kept), line and paragraph separators, bidirectional controls.
_ESCAPES = {
    code: f"\\u{code:04x}"
    for code in [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *_BIDI]
    if code != 0x09
}
_ESCAPES_ONE_LINE = _ESCAPES
_ESCAPES_KEEPING_NEWLINES = {k: v for k, v in _ESCAPES.items() if k != 0x0A}


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every control character escaped (line feeds kept unless ``keep_newlines`` is
    false, for one-line messages)."""
    return text.translate(_ESCAPES_KEEPING_NEWLINES if keep_newlines else _ESCAPES_ONE_LINE)
