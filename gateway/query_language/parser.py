"""The `q` grammar: space-separated `path:value` terms, parsed into Terms with positions.

q          := term ( ws+ term )*
term       := path ':' value
path       := ident ( '.' ident )*          ident = [A-Za-z_][A-Za-z0-9_]*
value      := 'null' | 'exists' | 'missing'
            | '~' pattern                   (ends at a space outside groups and brackets)
            | '(' '~' pattern ')'           (may hold spaces)
            | cmp scalar                    cmp = > < >= <=
            | '(' cmp scalar ( ws+ 'AND' ws+ cmp scalar )* ')'
            | '(' scalar ( ',' scalar )* ')'
            | scalar
scalar     := '"' ( [^"\\] | '\"' | '\\' )* '"' | bare
bare       := [^ \t\r\n(),"]+
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gateway.errors import GatewayError
from gateway.query_language.problems import at
from gateway.query_language.regex import scan_pattern

SPACE = " \t\r\n"
NOT_BARE = SPACE + '(),"'
KEYWORDS = ("null", "exists", "missing")
COMPARISONS = (">=", "<=", ">", "<")
IDENT_START = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
IDENT_REST = IDENT_START + "0123456789"

Match = Literal["all", "any", "null", "exists", "missing"]


@dataclass(frozen=True)
class Value:
    text: str
    quoted: bool
    position: int  # 0-based offset in q


@dataclass(frozen=True)
class Condition:
    op: str  # "=", ">", "<", ">=", "<=", "~"
    value: Value


@dataclass(frozen=True)
class Term:
    path: str
    position: int
    match: Match  # all: every condition holds; any: one of them (a list)
    conditions: tuple[Condition, ...] = ()


def parse_q(q: str) -> list[Term]:
    """The terms of `q`; raises BAD_USER_INPUT pointing at the first problem."""
    return _Parser(q).terms()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def error(self, message: str, position: int | None = None) -> GatewayError:
        return at("q", message, self.i if position is None else position)

    def peek(self, size: int = 1) -> str:
        return self.text[self.i : self.i + size]

    def skip_space(self) -> int:
        start = self.i
        while self.i < len(self.text) and self.text[self.i] in SPACE:
            self.i += 1
        return self.i - start

    def expect(self, literal: str, what: str) -> None:
        if not self.text.startswith(literal, self.i):
            raise self.error(f"expected {what}{self._found()}")
        self.i += len(literal)

    def _found(self) -> str:
        if self.i >= len(self.text):
            return " but q ended"
        return f" but found {self.text[self.i]!r}"

    def terms(self) -> list[Term]:
        terms: list[Term] = []
        self.skip_space()
        while self.i < len(self.text):
            terms.append(self.term())
            if self.i < len(self.text) and not self.skip_space():
                raise self.error(f"expected a space before the next term{self._found()}")
        return terms

    def term(self) -> Term:
        start = self.i
        path = self.path()
        self.expect(":", f"':' after field {path!r}")
        match, conditions = self.value()
        return Term(path, start, match, conditions)

    def path(self) -> str:
        start = self.i
        self.ident()
        while self.peek() == ".":
            self.i += 1
            self.ident()
        return self.text[start : self.i]

    def ident(self) -> None:
        if self.peek() == "" or self.peek() not in IDENT_START:
            raise self.error(f"expected a field name (letters, digits, '_'){self._found()}")
        while self.peek() != "" and self.peek() in IDENT_REST:
            self.i += 1

    def value(self) -> tuple[Match, tuple[Condition, ...]]:
        char = self.peek()
        if char == "(":
            return self.group()
        if char == "~":
            self.i += 1
            return "all", (self.pattern(in_group=False),)
        if char in ("<", ">"):
            return "all", (self.comparison(),)
        value = self.scalar()
        if not value.quoted and value.text in KEYWORDS:
            keyword: Match = value.text  # type: ignore[assignment]
            return keyword, ()
        return "all", (Condition("=", value),)

    def group(self) -> tuple[Match, tuple[Condition, ...]]:
        opening = self.i
        self.i += 1
        self.skip_space()
        if self.peek() == "~":
            self.i += 1
            condition = self.pattern(in_group=True)
            self.expect(")", "')' to close the pattern")
            return "all", (condition,)
        if self.peek() in ("<", ">") and self.peek() != "":
            conditions = self.comparisons()
            match: Match = "all"
        else:
            conditions = self.members()
            match = "any"
        self.skip_space()
        if self.peek() != ")":
            raise self.error(
                f"expected ')' to close the '(' at position {opening + 1}{self._found()}"
            )
        self.i += 1
        return match, conditions

    def comparisons(self) -> tuple[Condition, ...]:
        conditions = [self.comparison()]
        while True:
            mark = self.i
            if not self.skip_space() or not self.text.startswith("AND", self.i):
                self.i = mark
                return tuple(conditions)
            self.i += 3
            if not self.skip_space():
                raise self.error("expected a space after 'AND'")
            if self.peek() == "" or self.peek() not in ("<", ">"):
                raise self.error(f"expected >, <, >= or <= after 'AND'{self._found()}")
            conditions.append(self.comparison())

    def comparison(self) -> Condition:
        op = next(op for op in COMPARISONS if self.text.startswith(op, self.i))
        self.i += len(op)
        return Condition(op, self.scalar())

    def members(self) -> tuple[Condition, ...]:
        members = [Condition("=", self.scalar())]
        while True:
            self.skip_space()
            if self.peek() != ",":
                return tuple(members)
            self.i += 1
            self.skip_space()
            members.append(Condition("=", self.scalar()))

    def scalar(self) -> Value:
        if self.peek() == '"':
            return self.quoted()
        start = self.i
        while self.i < len(self.text) and self.text[self.i] not in NOT_BARE:
            self.i += 1
        if self.i == start:
            raise self.error(f"expected a value{self._found()}")
        return Value(self.text[start : self.i], False, start)

    def quoted(self) -> Value:
        opening = self.i
        self.i += 1
        chars: list[str] = []
        while self.i < len(self.text) and self.text[self.i] != '"':
            if self.text[self.i] == "\\":
                self.i += 1
                if self.peek() not in ('"', "\\") or self.peek() == "":
                    raise self.error('only \\" and \\\\ may be escaped in a quoted value')
            chars.append(self.text[self.i])
            self.i += 1
        if self.i >= len(self.text):
            raise self.error("unterminated quoted value", opening)
        self.i += 1
        return Value("".join(chars), True, opening + 1)

    def pattern(self, *, in_group: bool) -> Condition:
        start = self.i
        end = scan_pattern(self.text, start, in_group=in_group)
        if end is None:
            raise self.error("expected ')' to close the pattern", start - 2)
        if end == start:
            raise self.error("expected a regular expression after '~'")
        self.i = end
        return Condition("~", Value(self.text[start:end], False, start))
