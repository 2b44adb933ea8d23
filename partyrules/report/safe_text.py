"""Text from fact documents and policies, made safe to show in a terminal or a page.

A unit name such as ``"\\x1b]0;pwned\\x07\\x1b[2J"`` would retitle and clear the
reader's terminal if printed raw, and a right-to-left override (U+202E) makes
``gpj.exe`` look like ``exe.jpg``. Human views (the table, ``explain``, error
lines on standard error, HTML) therefore show every control character and
every bidirectional formatting character as a visible escape (``\\u001b``,
``\\u202e``); :func:`visible` does it for the table and HTML. JSON output keeps the exact strings: it
escapes them itself.

Human views also bound what one value can cost: :func:`safe_text` with a
``limit`` shortens a long value and says how much was left out.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL; the Arabic letter mark; zero-width characters and the bidi marks, embeddings,
# overrides and isolates; the word joiner and invisible operators; line and paragraph separators; the
# byte-order mark. One set for every human view (the table and HTML too, through visible()).
_SET = "\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\u2028\u2029\ufeff"
_UNSAFE = re.compile(f"[\x00-\x0a{_SET}]")
_UNSAFE_BUT_NEWLINE = re.compile(f"[\x00-\x09{_SET}]")

NAME_LIMIT = 200          # characters of a name or id shown in a human view
MESSAGE_LIMIT = 2000      # characters of a message shown in a human view
LINE_LIMIT = 4000         # characters of one error line on standard error


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def visible(text: object) -> str:
    """``text`` with every control and bidi character written as ``\\uXXXX`` (newlines too), whatever its
    length: the table and the HTML page, which bound lengths themselves."""
    text = str(text)
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def safe_text(text: str, limit: int | None = None) -> str:
    """``text`` with control and bidi characters escaped (newlines too), at most ``limit`` characters kept."""
    text = str(text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + f"…(+{len(text) - limit} characters)"
    return visible(text)


def safe_block(text: str) -> str:
    """Several lines of text: every line kept, everything else unsafe escaped (CR, ESC, U+202E …)."""
    return _UNSAFE_BUT_NEWLINE.sub(_escape, text) if _UNSAFE_BUT_NEWLINE.search(text) else text


def safe_line(text: str) -> str:
    """One line for standard error: line breaks become spaces, the rest as :func:`safe_text`."""
    return safe_text(str(text).replace("\r\n", " ").replace("\n", " "), LINE_LIMIT)
