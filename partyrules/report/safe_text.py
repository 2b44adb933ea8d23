"""Text from fact documents and policies, made safe to show in a terminal or a page.

A unit name such as ``"\\x1b]0;pwned\\x07\\x1b[2J"`` would retitle and clear the
reader's terminal if printed raw, and a right-to-left override (U+202E) makes
``gpj.exe`` look like ``exe.jpg``. Human views (the table, ``explain``, error
lines on standard error, HTML) therefore show every control character and
every bidirectional formatting character as a visible escape (``\\u001b``,
``\\u202e``), as :func:`partyrules.report.human.visible` does for the table and HTML. JSON output keeps the exact strings: it escapes them itself.

Human views also bound what one value can cost: :func:`safe_text` with a
``limit`` shortens a long value and says how much was left out.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL; bidi embeddings, overrides, isolates and marks; line/paragraph separators
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_UNSAFE_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

NAME_LIMIT = 200          # characters of a name or id shown in a human view
MESSAGE_LIMIT = 2000      # characters of a message shown in a human view
LINE_LIMIT = 4000         # characters of one error line on standard error


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"        # the notation of report.human.visible, used by the table and HTML


def safe_text(text: str, limit: int | None = None) -> str:
    """``text`` with control and bidi characters escaped (newlines too), at most ``limit`` characters kept."""
    text = str(text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + f"…(+{len(text) - limit} characters)"
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def safe_block(text: str) -> str:
    """Several lines of text: every line kept, everything else unsafe escaped (CR, ESC, U+202E …)."""
    return _UNSAFE_BUT_NEWLINE.sub(_escape, text) if _UNSAFE_BUT_NEWLINE.search(text) else text


def safe_line(text: str) -> str:
    """One line for standard error: line breaks become spaces, the rest as :func:`safe_text`."""
    return safe_text(str(text).replace("\r\n", " ").replace("\n", " "), LINE_LIMIT)
