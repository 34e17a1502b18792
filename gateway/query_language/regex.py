"""The regular expressions `~` accepts: only syntax RE2 (SQLite's REGEXP) and PostgreSQL share.

Allowed: literal characters, `.`, `^`, `$`, `|`, groups `( )` and `(?: )`, bracket
expressions `[a-z]` / `[^...]` of literals and ranges, quantifiers `* + ? {m} {m,} {m,n}`
(m, n <= 255) optionally followed by `?`, also repeating one another (`(a+)+`), and `\\`
before ASCII punctuation.
Refused: every `\\letter` or `\\digit` escape (classes, backreferences, anchors differ
between the two), lookaround, named groups and inline flags (`(?...)` other than `(?:`),
POSIX classes, possessive quantifiers, empty groups or alternatives, and what RE2 cannot
compile (nested bounds beyond 1,000 repetitions). Both engines run in time linear in the
value's length (PostgreSQL's under its statement timeout), so no shape needs refusing for speed.
PostgreSQL lets `.` match a newline and `$` match only at the very end; the RE2 form
(`Pattern.re2`, which SQLite's REGEXP receives) says the same with `(?s)` and `\\z`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import re2  # type: ignore[import-untyped]

from gateway.errors import GatewayError
from gateway.query_language.problems import at
from gateway.store.sqlite_connections import sqlite_regex

PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
SPACE = " \t\r\n"
DUP_MAX = 255  # PostgreSQL's largest repetition bound
_BOUND = re.compile(r"\{([0-9]+)(,([0-9]+)?)?\}")


def scan_pattern(text: str, start: int, *, in_group: bool) -> int | None:
    """Where a pattern starting at `start` ends: before a top-level space (or at the `)`
    closing the `(~` group when `in_group`); None when that `)` is missing."""
    depth = 0
    i = start
    in_class = False
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0 and in_group:
                return i
            depth -= 1
        elif char in SPACE and depth <= 0 and not in_group:
            return i
        i += 1
    return None if in_group else min(i, len(text))


@dataclass(frozen=True)
class Pattern:
    text: str  # as written: what PostgreSQL's `~` receives
    re2: str  # the same search for RE2 (SQLite's REGEXP)


def check_pattern(text: str, position: int, *, max_length: int, argument: str = "q") -> Pattern:
    """The validated pattern, or BAD_USER_INPUT pointing into it."""
    if len(text) > max_length:
        raise at(argument, f"regular expression longer than {max_length} characters", position)
    checker = _Checker(text, position, argument)
    form = checker.alternation()
    if checker.i < len(text):  # only an unmatched ')' stops the top level early
        raise checker.error("unmatched ')'")
    form = "(?s)" + form
    try:
        sqlite_regex(form)
    except re2.error as error:
        reason = error.args[0].decode() if isinstance(error.args[0], bytes) else error.args[0]
        raise at(argument, f"invalid regular expression ({reason})", position) from None
    except UnicodeEncodeError:
        raise at(argument, "invalid regular expression (not UTF-8)", position) from None
    return Pattern(text, form)


class _Checker:
    def __init__(self, text: str, position: int, argument: str) -> None:
        self.text = text
        self.base = position
        self.argument = argument
        self.i = 0

    def error(self, message: str, offset: int | None = None) -> GatewayError:
        where = self.i if offset is None else offset
        return at(self.argument, f"regular expression: {message}", self.base + where)

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def alternation(self) -> str:
        """Branches separated by '|'; each branch non-empty."""
        branches = [self.branch()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.branch())
        return "|".join(branches)

    def branch(self) -> str:
        parts: list[str] = []
        while self.peek() not in ("", "|", ")"):
            atom, quantifiable = self.atom()
            parts.append(atom + self.quantifier(quantifiable))
        if not parts:
            raise self.error("empty alternative or group")
        return "".join(parts)

    def atom(self) -> tuple[str, bool]:
        """The atom's RE2 form and whether it may repeat."""
        char = self.peek()
        start = self.i
        self.i += 1
        if char == "\\":
            return self.escape(start), True
        if char == "[":
            return self.bracket(start), True
        if char == "(":
            return self.group(start), True
        if char == "^":
            return "^", False
        if char == "$":
            return r"\z", False
        if char in "*+?{":
            raise self.error(f"{char!r} has nothing to repeat", start)
        if char in "]}":
            raise self.error(f"write a literal {char!r} as '\\{char}'", start)
        return char, True

    def escape(self, start: int) -> str:
        char = self.peek()
        if char == "" or char not in PUNCTUATION:
            raise self.error("only punctuation may follow '\\' (no \\d, \\w, \\1, ...)", start)
        self.i += 1
        return "\\" + char

    def group(self, start: int) -> str:
        prefix = "("
        if self.peek() == "?":
            if self.text[self.i : self.i + 2] != "?:":
                raise self.error("only '(?:' groups are allowed (no lookaround or flags)", start)
            self.i += 2
            prefix = "(?:"
        inner = self.alternation()
        if self.peek() != ")":
            raise self.error("missing ')'", start)
        self.i += 1
        return prefix + inner + ")"

    def quantifier(self, quantifiable: bool) -> str:
        start = self.i
        char = self.peek()
        if char in ("*", "+", "?"):
            self.i += 1
            text = char
        elif char == "{":
            text = self.bound(start)
        else:
            return ""
        if not quantifiable:
            raise self.error(f"{char!r} cannot repeat an anchor", start)
        if self.peek() == "?":
            self.i += 1
            text += "?"
        if self.peek() != "" and self.peek() in "*+?{":
            raise self.error("a quantifier cannot follow a quantifier", self.i)
        return text

    def bound(self, start: int) -> str:
        found = _BOUND.match(self.text, self.i)
        if found is None:
            raise self.error("write a bound as {m}, {m,} or {m,n}; a literal '{' as '\\{'", start)
        low = int(found.group(1))
        high = low if found.group(2) is None else found.group(3)
        if low > DUP_MAX or (high is not None and int(high) > DUP_MAX):
            raise self.error(f"repetition bounds go up to {DUP_MAX}", start)
        if high is not None and int(high) < low:
            raise self.error("a bound's minimum exceeds its maximum", start)
        self.i = found.end()
        return str(found.group(0))

    def bracket(self, start: int) -> str:
        out = ["["]
        if self.peek() == "^":
            self.i += 1
            out.append("^")
        first, after_range = True, False
        while self.peek() != "]":
            if self.peek() == "":
                raise self.error("missing ']'", start)
            if after_range and self.text[self.i : self.i + 2] not in ("-]", "-"):
                if self.peek() == "-":
                    raise self.error("a '-' right after a range must be escaped as '\\-'")
            item, after_range = self.bracket_item(first)
            out.append(item)
            first = False
        if first:
            raise self.error("empty bracket expression (write a literal ']' as '\\]')", start)
        self.i += 1
        return "".join(out) + "]"

    def bracket_item(self, first: bool) -> tuple[str, bool]:
        """One literal or range, and whether it was a range."""
        low = self.bracket_char()
        if self.peek() != "-" or self.text[self.i + 1 : self.i + 2] in ("]", ""):
            return low, False
        dash = self.i
        self.i += 1
        if (first and low == "-") or self.peek() == "-":
            raise self.error("ambiguous '-' in a bracket expression; escape it as '\\-'", dash)
        high = self.bracket_char()
        if high[-1] < low[-1]:
            raise self.error("a range's end comes before its start", dash)
        return f"{low}-{high}", True

    def bracket_char(self) -> str:
        char = self.peek()
        start = self.i
        self.i += 1
        if char == "\\":
            return self.escape(start)
        if char == "[":
            raise self.error("write a literal '[' inside brackets as '\\['", start)
        if char in "&~|" and self.peek() == char:
            raise self.error(f"escape a doubled {char!r} inside brackets", start)
        return char
