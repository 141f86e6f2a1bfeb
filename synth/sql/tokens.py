"""Token-stream helpers shared by the rewrites: statements, edits, bracket matching.

Rewrites work on the tokens of sqlglot's tokenizer (which knows string literals, quoted names and
comments) and edit the original text at token offsets, so everything they do not touch — comments,
layout, literals — is kept as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot.errors import TokenError
from sqlglot.tokens import Token, Tokenizer, TokenType

from synth.sql.errors import SqlSyntaxError

WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_$#@]*$")


@dataclass(frozen=True)
class Statement:
    """One statement of a script.

    Attributes:
        text: its text (without the terminating ``;``).
        line: the line of the script it starts on (1-based).
    """

    text: str
    line: int


def tokenize(text: str, tokenizer: type[Tokenizer] = Tokenizer, where: str = "query", line: int = 1) -> list[Token]:
    """The tokens of ``text``.

    Raises:
        SqlSyntaxError: on an unterminated string, quoted name or comment.
    """
    try:
        return tokenizer().tokenize(text)
    except TokenError as e:
        m = re.search(r"[Ll]ine (\d+)", str(e))
        at = f"line {line + int(m.group(1)) - 1}" if m else f"statement at line {line}"
        raise SqlSyntaxError(f"{where}: {at}: {str(e).splitlines()[0]} (an unterminated string, quoted name "
                             "or comment)") from None


def split(text: str, tokenizer: type[Tokenizer] = Tokenizer, where: str = "query") -> list[Statement]:
    """The statements of a script, split at ``;`` outside strings and comments; empty ones dropped."""
    out: list[Statement] = []
    current: list[Token] = []
    for tok in [*tokenize(text, tokenizer, where), None]:
        if tok is None or tok.token_type == TokenType.SEMICOLON:
            if current:
                out.append(Statement(text[current[0].start: current[-1].end + 1], current[0].line))
            current = []
        else:
            current.append(tok)
    return out


def is_word(tok: Token) -> bool:
    """Whether ``tok`` can be a name (a plain word, a keyword used as a name, or a quoted name)."""
    return tok.token_type == TokenType.IDENTIFIER or (tok.token_type != TokenType.STRING and bool(WORD.match(tok.text)))


def upper(tok: Token | None) -> str:
    """The token's text in capitals ('' for None or a quoted name, which never matches a keyword)."""
    if tok is None or tok.token_type in (TokenType.IDENTIFIER, TokenType.STRING):
        return ""
    return tok.text.upper()


def matching(tokens: list[Token], i: int) -> int:
    """The index of the ``)`` closing the ``(`` at ``tokens[i]`` (the last index if unbalanced)."""
    depth = 0
    for j in range(i, len(tokens)):
        t = tokens[j].token_type
        if t == TokenType.L_PAREN:
            depth += 1
        elif t == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def top_level_commas(tokens: list[Token], open_i: int, close_i: int) -> list[int]:
    """Indexes of the commas directly inside the brackets ``open_i`` .. ``close_i``."""
    depth, out = 0, []
    for j in range(open_i + 1, close_i):
        t = tokens[j].token_type
        if t == TokenType.L_PAREN:
            depth += 1
        elif t == TokenType.R_PAREN:
            depth -= 1
        elif t == TokenType.COMMA and depth == 0:
            out.append(j)
    return out


class Edits:
    """Replacements of spans of a text, applied together (spans must not overlap)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._edits: list[tuple[int, int, int, str]] = []

    def replace(self, start: int, end: int, new: str) -> None:
        """Replace ``text[start:end]`` with ``new``."""
        self._edits.append((start, end, len(self._edits), new))

    def tokens(self, first: Token, last: Token, new: str) -> None:
        """Replace the tokens ``first`` .. ``last`` (inclusive) with ``new``."""
        self.replace(first.start, last.end + 1, new)

    def before(self, tok: Token, new: str) -> None:
        """Insert ``new`` just before ``tok``."""
        self.replace(tok.start, tok.start, new)

    def after(self, tok: Token, new: str) -> None:
        """Insert ``new`` just after ``tok``."""
        self.replace(tok.end + 1, tok.end + 1, new)

    def apply(self) -> str:
        """The edited text."""
        out, pos = [], 0
        for start, end, _, new in sorted(self._edits):
            if start < pos:  # overlapping edits: keep the first
                continue
            out += [self.text[pos:start], new]
            pos = end
        out.append(self.text[pos:])
        return "".join(out)
