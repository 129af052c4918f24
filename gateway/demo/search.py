"""A small, honest subset of Sentry's event search syntax.

Supported:

* whitespace-separated terms, implicitly ANDed; ``AND`` / ``OR`` (upper case) and
  parenthesised groups, ``AND`` binding tighter than ``OR`` as in Sentry;
* ``key:value`` on tags (``environment:``, ``release:``, ``level:`` ... are tags), with
  ``"quoted values"`` and ``*`` wildcards; ``!key:value`` negation (an event without
  the tag matches a negation, as in Snuba); ``has:key`` / ``!has:key``;
* a few non-tag keys: ``message``, ``title`` (substring, case-insensitive),
  ``event.type``, ``platform``, ``id`` (event id, any UUID form), ``user.id``,
  ``user.email``, ``user.username``, ``user.ip``;
* bare words: the free-text words of one AND group are joined with single spaces
  (as Sentry's ``parse_query`` does) and matched as one case-insensitive substring of
  the title or the message (formatted or raw).

Parentheses follow Sentry's grammar: ``foo(bar)`` is one free-text word, a ``(`` at
the start of a term opens a group, and an unmatched parenthesis is an error with
Sentry's message (``Parse error at 'foo(bar' (column 4). This is commonly caused by
unmatched parentheses. Enclose any text in double quotes.``). Anything else Sentry
supports (comparison operators, ``[a, b]`` lists, aggregates) is *not* understood
and is matched literally.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any, Union

from .store import DemoEvent

__all__ = ["SearchError", "Query", "parse_search", "normalize_event_id"]

_KEY_RE = re.compile(r"^(!?)([A-Za-z0-9_.\-\[\]]+):(.*)$", re.DOTALL)
_PAREN_HINT = "This is commonly caused by unmatched parentheses. Enclose any text in double quotes."


class SearchError(ValueError):
    """An unparsable query; the message is what Sentry would say."""


def normalize_event_id(value: str | None) -> str | None:
    """``utils.validators.normalize_event_id``: anything ``uuid.UUID`` accepts, as 32 hex."""
    if not value:
        return None
    try:
        return uuid.UUID(value).hex
    except (TypeError, ValueError, AttributeError):
        return None


@dataclass(frozen=True)
class Filter:
    key: str
    value: str
    negated: bool = False


@dataclass(frozen=True)
class Group:
    """Terms ANDed together (``op == "and"``) or alternatives (``op == "or"``)."""

    op: str
    terms: tuple[Node, ...]


Node = Union[Filter, str, Group]  # a str is one free-text piece


def _parse_error(query: str, pos: int) -> SearchError:
    column = pos + 1  # parsimonious reports 1-based columns; Sentry slices with them
    prefix = query[max(0, column - 5) : column]
    suffix = query[column : column + 5]
    return SearchError(f"Parse error at '{prefix}{suffix}' (column {column:d}). {_PAREN_HINT}")


def _read_quoted(query: str, i: int) -> int | None:
    """Index just past the closing quote of the string starting at ``i``, or None."""
    j = i + 1
    while j < len(query):
        if query[j] == "\\" and j + 1 < len(query):
            j += 2
            continue
        if query[j] == '"':
            return j + 1
        j += 1
    return None


def _tokenize(query: str) -> list[tuple[str, str, int]]:
    """Tokens ``(kind, text, pos)`` with kinds ``(``, ``)``, ``word``, ``quoted``."""
    tokens: list[tuple[str, str, int]] = []
    depth_stack: list[int] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            depth_stack.append(i)
            tokens.append(("(", ch, i))
            i += 1
        elif ch == ")":
            if not depth_stack:
                raise _parse_error(query, i)
            depth_stack.pop()
            tokens.append((")", ch, i))
            i += 1
        elif ch == '"' and (end := _read_quoted(query, i)) is not None:
            tokens.append(("quoted", query[i + 1 : end - 1].replace('\\"', '"'), i))
            i = end
        else:
            start, inner = i, []
            while i < n and not query[i].isspace():
                c = query[i]
                if c == "(":
                    inner.append(i)
                elif c == ")":
                    if not inner:
                        break
                    inner.pop()
                elif c == '"' and i > start and (end := _read_quoted(query, i)) is not None:
                    i = end
                    continue
                i += 1
            if inner:
                raise _parse_error(query, inner[0])
            tokens.append(("word", query[start:i], start))
    if depth_stack:
        raise _parse_error(query, depth_stack[0])
    return tokens


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]]) -> None:
        self.tokens = tokens
        self.i = 0

    def parse(self) -> Group:
        group = self._or()
        if self.i != len(self.tokens):  # a stray ")" is caught by the tokenizer
            raise SearchError("Parse error: unexpected input")
        return group

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _or(self) -> Group:
        branches = [self._and()]
        while (tok := self._peek()) is not None and tok == ("word", "OR", tok[2]):
            self.i += 1
            if not branches[-1].terms:
                raise SearchError("Condition is missing on the left side of 'OR' operator")
            branches.append(self._and())
            if not branches[-1].terms:
                raise SearchError("Condition is missing on the right side of 'OR' operator")
        return branches[0] if len(branches) == 1 else Group("or", tuple(branches))

    def _and(self) -> Group:
        terms: list[Node] = []
        while (tok := self._peek()) is not None:
            kind, text, _ = tok
            if kind == ")" or (kind == "word" and text == "OR"):
                break
            self.i += 1
            if kind == "(":
                terms.append(self._or())
                self.i += 1  # the matching ")" (balanced by the tokenizer)
            elif kind == "quoted":
                terms.append(text)
            elif text == "AND":
                if not terms:
                    raise SearchError("Condition is missing on the left side of 'AND' operator")
                nxt = self._peek()
                if nxt is None or nxt[0] == ")" or nxt[1] in ("AND", "OR"):
                    raise SearchError("Condition is missing on the right side of 'AND' operator")
            else:
                terms.append(_word_term(text))
        return Group("and", tuple(terms))


def _word_term(text: str) -> Node:
    match = _KEY_RE.match(text)
    if match is None or match.group(3) == "":
        return text
    negated, key, value = match.groups()
    return Filter(key=key, value=_unquote(value), negated=bool(negated))


def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


class Query:
    """A parsed query: `matches(event)`, and the free text a direct hit looks at."""

    def __init__(self, raw: str, root: Group) -> None:
        self.raw = raw
        self.root = root

    @property
    def free_text(self) -> str | None:
        """The joined free text of the top-level AND group (Sentry's ``query`` kwarg)."""
        if self.root.op != "and":
            return None
        words = [term for term in self.root.terms if isinstance(term, str)]
        return " ".join(words) if words else None

    def matches(self, event: DemoEvent) -> bool:
        return _match_group(self.root, event)


def parse_search(raw: str | None) -> Query | None:
    """Parse ``raw``; None when there is no query. Raises `SearchError`."""
    if raw is None or not raw.strip():
        return None
    return Query(raw, _Parser(_tokenize(raw)).parse())


# -- matching -------------------------------------------------------------------------


def _match_group(group: Group, event: DemoEvent) -> bool:
    if group.op == "or":
        return any(_match_group(branch, event) for branch in group.terms)  # type: ignore[arg-type]
    words: list[str] = []
    for term in group.terms:
        if isinstance(term, str):
            words.append(term)
        elif isinstance(term, Filter):
            if not _match_filter(term, event):
                return False
        elif not _match_group(term, event):
            return False
    return not words or _match_free_text(" ".join(words), event)


def _match_free_text(needle: str, event: DemoEvent) -> bool:
    payload = event.payload
    haystacks = [payload.get("title"), payload.get("message"), event.raw_message]
    texts = [h for h in haystacks if isinstance(h, str)]
    if "*" in needle:
        pattern = re.compile(_wildcard(needle).pattern, re.IGNORECASE | re.DOTALL)
        return any(pattern.search(text) for text in texts)
    lowered = needle.lower()
    return any(lowered in text.lower() for text in texts)


def _field_values(key: str, event: DemoEvent) -> list[str] | None:
    """The values ``key`` refers to on ``event`` (empty when absent)."""
    payload = event.payload
    user: dict[str, Any] = payload.get("user") or {}
    if key in ("message", "title"):
        return None  # substring semantics, handled by the caller
    if key == "event.type":
        return [payload.get("type") or ""]
    if key == "platform":
        return [payload["platform"]] if payload.get("platform") else []
    if key == "id":
        return [event.event_id]
    if key.startswith("user.") and key != "user.segment":
        sub = {"ip": "ip_address"}.get(key[5:], key[5:])
        value = user.get(sub)
        return [str(value)] if value is not None else []
    if key.startswith("tags[") and key.endswith("]"):
        key = key[5:-1]
    return [
        str(tag.get("value"))
        for tag in event.tags
        if tag.get("key", "").split("sentry:", 1)[-1] == key
    ]


def _match_filter(flt: Filter, event: DemoEvent) -> bool:
    if flt.key == "has":
        found = bool(_field_values(flt.value, event) or [])
        return found != flt.negated
    if flt.key in ("message", "title"):
        text = event.payload.get(flt.key) or ""
        extra = event.raw_message or "" if flt.key == "message" else ""
        hit = any(
            _wildcard(flt.value.lower()).search(t.lower()) if "*" in flt.value else flt.value.lower() in t.lower()
            for t in (text, extra)
        )
        return hit != flt.negated
    values = _field_values(flt.key, event) or []
    wanted = flt.value
    if flt.key == "id":
        wanted = normalize_event_id(wanted) or wanted
    if "*" in wanted:
        pattern = _wildcard(wanted)
        hit = any(pattern.fullmatch(v) for v in values)
    elif wanted == "":
        hit = not values or all(v == "" for v in values)
    else:
        hit = wanted in values
    return hit != flt.negated
