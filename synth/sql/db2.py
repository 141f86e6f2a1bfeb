"""DB2 (SAIL) SQL to DuckDB: a small, documented set of rewrites on the token stream.

sqlglot has no DB2 dialect, so DB2 statements are rewritten here, token by token, leaving every
other character as written (docs/sql.md lists the rewrites):

- statements: ``CREATE [OR REPLACE] VARIABLE s.v TYPE DEFAULT x`` -> ``SET VARIABLE`` (later
  ``s.v`` -> ``getvariable('S.V')``), ``DROP VARIABLE`` -> ``RESET VARIABLE``; ``COMMIT``,
  ``GRANT``/``REVOKE``, ``RUNSTATS``, ``REORG``, ``CALL SYSPROC.ADMIN_CMD`` and ``ALTER TABLE ...
  ACTIVATE NOT LOGGED INITIALLY`` are skipped; ``CALL FNC.DROP_IF_EXISTS('s.t')`` becomes ``DROP
  TABLE IF EXISTS s.t``; ``DECLARE GLOBAL TEMPORARY TABLE`` becomes ``CREATE [OR REPLACE] TABLE``
  (its ``ON COMMIT``/``NOT LOGGED``/``WITH REPLACE`` options dropped); ``CREATE TABLE x LIKE y``
  an empty copy of ``y``; ``UPDATE t a SET a.x = ...`` loses the qualifier; any other ``CALL`` is an
  error;
- clauses: ``WITH UR|CS|RS|RR``, ``FOR READ|FETCH ONLY``, ``OPTIMIZE FOR n ROWS``, ``WITH DATA``,
  ``DISTRIBUTE BY ...``, ``ORGANIZE BY ...``, ``COMPRESS YES|NO``, ``NOT LOGGED INITIALLY``,
  ``IMMEDIATE`` (of ``TRUNCATE``) dropped; ``WITH NO DATA``/``DEFINITION ONLY`` become ``LIMIT 0``;
  ``FETCH FIRST ROW ONLY`` gets its 1;
- expressions: ``CURRENT DATE|TIME|TIMESTAMP`` -> ``CURRENT_DATE`` ...; labelled durations
  (``d + 5 YEARS``) -> ``d + INTERVAL (5) YEAR``; the cast functions ``CHAR``, ``VARCHAR``,
  ``DATE``, ``TIMESTAMP``, ``DECIMAL``/``DEC``, ``DOUBLE``/``FLOAT``/``REAL`` -> ``CAST``; the DB2
  functions of :data:`synth.sql.macros.FUNCTIONS` -> their DuckDB macros or equivalents;
  ``VARCHAR_FORMAT(d, 'YYYY-MM-DD')`` -> ``strftime`` with the format translated; a column named
  ``DESC``/``ASC`` in a select list is quoted.
"""

from __future__ import annotations

import re

from sqlglot.tokens import Token, TokenType

from synth.sql.errors import UnsupportedConstructError
from synth.sql.macros import FUNCTIONS
from synth.sql.tokens import Edits, Statement, is_word, matching, tokenize, top_level_commas, upper

#: Statements run as nothing (transaction control, privileges, maintenance).
SKIPPED = {"COMMIT", "ROLLBACK", "GRANT", "REVOKE", "RUNSTATS", "REORG"}
#: Type names DB2 also calls as functions, and the DuckDB type of the ``CAST`` they become.
CASTS = {"CHAR": "VARCHAR", "VARCHAR": "VARCHAR", "DATE": "DATE", "TIMESTAMP": "TIMESTAMP", "DOUBLE": "DOUBLE",
         "FLOAT": "DOUBLE", "REAL": "DOUBLE", "DECIMAL": "DECIMAL", "DEC": "DECIMAL", "NUMERIC": "DECIMAL"}
#: Labelled-duration units (singular and plural) and DuckDB's interval unit.
UNITS = {u + s: u for u in ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "MICROSECOND") for s in ("", "S")}
#: Table options of DB2 ``CREATE TABLE`` / ``DECLARE GLOBAL TEMPORARY TABLE`` that DuckDB has no use for.
_ISOLATION = {"UR", "CS", "RS", "RR"}


def rewrite(stmt: Statement, where: str, variables: set[str] | None = None) -> tuple[str | None, str]:
    """One DB2 statement as DuckDB SQL.

    Args:
        stmt: the statement.
        where: the file name for messages.
        variables: the script's global variables so far (capitals, ``SCHEMA.NAME``); a ``CREATE
            VARIABLE`` adds to it, and a later ``schema.name`` naming one reads it.

    Returns:
        The DuckDB text (None when the statement is skipped) and a note saying what was done to it.

    Raises:
        UnsupportedConstructError: for a statement kind with no DuckDB counterpart (e.g. another ``CALL``).
    """
    toks = tokenize(stmt.text, where=where, line=stmt.line)
    words = [upper(t) for t in toks]
    head = words[0] if words else ""
    if head in SKIPPED or words[:2] in (["SET", "CURRENT"], ["SET", "INTEGRITY"]) or \
            (head == "ALTER" and "ACTIVATE" in words):
        return None, f"skipped: {' '.join(words[:2]).strip()}"
    if head == "CALL":
        return _call(stmt, toks, where)
    variables = set() if variables is None else variables
    if words[:2] == ["CREATE", "VARIABLE"] or words[:4] == ["CREATE", "OR", "REPLACE", "VARIABLE"] or \
            words[:2] == ["DROP", "VARIABLE"]:
        return _variable(stmt.text, toks, words, variables)
    text = stmt.text
    if words[:4] == ["DECLARE", "GLOBAL", "TEMPORARY", "TABLE"]:
        text = _declare(toks, words, text)
        toks = tokenize(text, where=where, line=stmt.line)
        words = [upper(t) for t in toks]
    if words[:2] == ["CREATE", "TABLE"] and "LIKE" in words:
        k = words.index("LIKE")
        end = k + 1
        while end + 2 < len(toks) and toks[end + 1].token_type == TokenType.DOT:
            end += 2
        return (f"CREATE TABLE {_span(text, toks[2], toks[k - 1])} AS SELECT * FROM "
                f"{_span(text, toks[k + 1], toks[end])} LIMIT 0"), "CREATE TABLE ... LIKE"
    if head == "UPDATE":
        text = _update_set(text, toks, words)
        toks = tokenize(text, where=where, line=stmt.line)
        words = [upper(t) for t in toks]
    return _expressions(text, toks, words, head in ("CREATE", "DECLARE"), variables), ""


def _update_set(text: str, toks: list[Token], words: list[str]) -> str:
    """``UPDATE t a SET a.x = ...`` -> ``SET x = ...`` (DuckDB takes no qualified targets)."""
    ed = Edits(text)
    depth, in_set = 0, False
    for i, tok in enumerate(toks):
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(tok.token_type, 0)
        if depth:
            continue
        if words[i] == "SET":
            in_set = True
        elif words[i] in ("FROM", "WHERE"):
            in_set = False
        elif in_set and words[i - 1] in ("SET", ",") and i + 3 < len(toks) and toks[i + 1].token_type == \
                TokenType.DOT and toks[i + 3].token_type == TokenType.EQ:
            ed.tokens(tok, toks[i + 1], "")
    return ed.apply()


def _span(text: str, first: Token, last: Token) -> str:
    return text[first.start: last.end + 1]


def _call(stmt: Statement, toks: list[Token], where: str) -> tuple[str | None, str]:
    # sqlglot reads CALL as a command: the rest of the statement is one raw token.
    m = re.match(r"\s*CALL\s+([\w.$#@\"]+)\s*(?:\(\s*'((?:[^']|'')*)')?", stmt.text, re.IGNORECASE)
    name = (m[1] if m else "").replace('"', "").upper()
    if name.endswith("DROP_IF_EXISTS"):
        if not m or not m[2]:
            raise UnsupportedConstructError(f"{where}: line {stmt.line}: CALL {name} needs the table name as a string")
        return f"DROP TABLE IF EXISTS {m[2].replace(chr(39) * 2, chr(39))}", f"CALL {name}"
    if name == "SYSPROC.ADMIN_CMD":
        return None, "skipped: CALL SYSPROC.ADMIN_CMD"
    raise UnsupportedConstructError(f"{where}: line {stmt.line}: CALL {name} is not supported (only "
                                    "FNC.DROP_IF_EXISTS and SYSPROC.ADMIN_CMD are; see docs/sql.md)")


def _declare(toks: list[Token], words: list[str], text: str) -> str:
    """``DECLARE GLOBAL TEMPORARY TABLE`` -> ``CREATE [OR REPLACE] TABLE``, options dropped."""
    ed = Edits(text)
    replace = any(words[i:i + 2] == ["WITH", "REPLACE"] for i in range(len(words)))
    ed.tokens(toks[0], toks[3], "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE")
    i = 4
    while i < len(toks):
        w = words[i:i + 6]
        n = 0
        if w[:2] == ["ON", "COMMIT"]:
            n = 4  # ON COMMIT PRESERVE|DELETE ROWS
        elif w[:2] == ["NOT", "LOGGED"]:
            n = 7 if w[2:4] == ["ON", "ROLLBACK"] else 2
        elif w[:2] == ["WITH", "REPLACE"]:
            n = 2
        if n:
            ed.tokens(toks[i], toks[min(i + n, len(toks)) - 1], "")
            i += n
        else:
            i += 1
    return ed.apply()


def _variable(text: str, toks: list[Token], words: list[str], variables: set[str]) -> tuple[str | None, str]:
    """``CREATE [OR REPLACE] VARIABLE s.v TYPE [DEFAULT expr]`` -> ``SET VARIABLE``; ``DROP`` -> ``RESET``."""
    k = words.index("VARIABLE") + 1
    end = k
    while end + 2 < len(toks) and toks[end + 1].token_type == TokenType.DOT:
        end += 2
    name = "".join(t.text for t in toks[k: end + 1]).upper()
    if words[0] == "DROP":
        variables.discard(name)
        return f"RESET VARIABLE {_quote(name)}", "DROP VARIABLE"
    variables.add(name)
    d = words.index("DEFAULT") if "DEFAULT" in words else len(toks)
    sql_type = _span(text, toks[end + 1], toks[d - 1]) if d > end + 1 else "VARCHAR"
    value = _span(text, toks[d + 1], toks[-1]) if d + 1 < len(toks) else "NULL"
    inner = _expressions(value, tokenize(value), [upper(t) for t in tokenize(value)], False, variables)
    return f"SET VARIABLE {_quote(name)} = CAST(({inner}) AS {sql_type})", "CREATE VARIABLE"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _expressions(text: str, toks: list[Token], words: list[str], ddl: bool, variables: set[str] | None = None) -> str:
    ed = Edits(text)
    n = len(toks)
    i = 0
    while i < n:
        w, nxt = words[i], words[i + 1] if i + 1 < n else ""
        prev = toks[i - 1] if i else None
        if w == "WITH" and nxt in _ISOLATION and i + 2 == n:
            ed.tokens(toks[i], toks[i + 1], "")
        elif w == "FOR" and words[i + 1: i + 3] in (["READ", "ONLY"], ["FETCH", "ONLY"]):
            ed.tokens(toks[i], toks[i + 2], "")
        elif w == "OPTIMIZE" and nxt == "FOR" and i + 3 < n:
            ed.tokens(toks[i], toks[i + 3], "")
        elif w == "WITH" and nxt == "DATA" and words[i + 2: i + 3] != ["AS"]:
            ed.tokens(toks[i], toks[i + 1], "")
        elif w == "WITH" and words[i + 1: i + 3] == ["NO", "DATA"]:
            ed.tokens(toks[i], toks[i + 2], "LIMIT 0")
        elif w == "DEFINITION" and nxt == "ONLY":
            ed.tokens(toks[i], toks[i + 1], "LIMIT 0")
        elif ddl and w in ("DISTRIBUTE BY", "DISTRIBUTE", "ORGANIZE"):
            i = _drop_distribute(ed, toks, words, i)
            continue
        elif ddl and w == "COMPRESS" and nxt in ("YES", "NO"):
            last = i + 2 if words[i + 2: i + 3] in (["ADAPTIVE"], ["STATIC"]) else i + 1
            ed.tokens(toks[i], toks[last], "")
        elif ddl and words[i: i + 3] == ["NOT", "LOGGED", "INITIALLY"]:
            ed.tokens(toks[i], toks[i + 2], "")
        elif w == "IMMEDIATE" and words[0] == "TRUNCATE":
            ed.tokens(toks[i], toks[i], "")
        elif w == "FETCH" and nxt in ("FIRST", "NEXT") and words[i + 2: i + 3] in (["ROW"], ["ROWS"]):
            ed.after(toks[i + 1], " 1")
        elif w == "CURRENT" and nxt in ("DATE", "TIME", "TIMESTAMP"):
            ed.tokens(toks[i], toks[i + 1], f"CURRENT_{nxt}")
        elif w == "CURRENT" and nxt in ("SCHEMA", "SQLID"):
            ed.tokens(toks[i], toks[i + 1], "current_schema()")
        elif w in UNITS and prev is not None and _duration(ed, toks, i, UNITS[w]):
            pass
        elif variables and nxt == "." and i + 2 < n and f"{w}.{words[i + 2]}" in variables and \
                (prev is None or prev.token_type != TokenType.DOT):
            ed.tokens(toks[i], toks[i + 2], f"getvariable('{w}.{words[i + 2]}')")
            i += 3
            continue
        elif w in ("DESC", "ASC") and (upper(prev) in ("SELECT", ",", ".", "DISTINCT") and
                                       nxt in ("AS", ",", "FROM", "")):
            ed.tokens(toks[i], toks[i], f'"{toks[i].text}"')  # a column DB2 lets be called DESC
        elif nxt == "(" and w in ("VARCHAR_FORMAT", "TO_CHAR"):
            _varchar_format(ed, toks, i)
        elif nxt == "(" and w in CASTS and not _type_position(prev):
            _cast(ed, toks, i, CASTS[w])
        elif nxt == "(" and w in FUNCTIONS and (prev is None or prev.token_type != TokenType.DOT) and \
                not (w in ("INTEGER", "INT", "SMALLINT", "BIGINT") and _type_position(prev)):
            ed.tokens(toks[i], toks[i], FUNCTIONS[w])
        i += 1
    return ed.apply()


def _type_position(prev: Token | None) -> bool:
    """Whether a type name after ``prev`` is a type (``AS CHAR(2)``, ``col DECIMAL(7,6)``), not a call."""
    return prev is not None and (prev.token_type in (TokenType.ALIAS, TokenType.IDENTIFIER) or
                                 (prev.token_type == TokenType.VAR and is_word(prev)))


def _drop_distribute(ed: Edits, toks: list[Token], words: list[str], i: int) -> int:
    """Drop ``DISTRIBUTE BY HASH (...)``/``RANDOM``/``REPLICATION`` or ``ORGANIZE BY ROW|COLUMN``; next index."""
    j = i + 1 if words[i] == "DISTRIBUTE BY" else i + 2
    if j < len(toks) and toks[j].token_type != TokenType.L_PAREN:
        j += 1  # HASH / RANDOM / ROW ...
    if j < len(toks) and toks[j].token_type == TokenType.L_PAREN:
        j = matching(toks, j) + 1
    ed.tokens(toks[i], toks[j - 1], "")
    return j


def _duration(ed: Edits, toks: list[Token], i: int, unit: str) -> bool:
    """``<operand> YEARS`` after ``+``/``-`` -> ``INTERVAL (<operand>) YEAR``; whether it was one."""
    j = i - 1
    t = toks[j]
    if t.token_type == TokenType.R_PAREN:
        depth = 0
        while j >= 0:
            depth += {TokenType.R_PAREN: 1, TokenType.L_PAREN: -1}.get(toks[j].token_type, 0)
            if depth == 0:
                break
            j -= 1
        if j > 0 and is_word(toks[j - 1]) and toks[j - 1].token_type not in (TokenType.PLUS, TokenType.DASH):
            j -= 1  # a function call: f(x) DAYS
    elif t.token_type == TokenType.NUMBER or is_word(t):
        while j >= 2 and toks[j - 1].token_type == TokenType.DOT and is_word(toks[j - 2]):
            j -= 2
    else:
        return False
    if j <= 0 or toks[j - 1].token_type not in (TokenType.PLUS, TokenType.DASH):
        return False
    ed.before(toks[j], "INTERVAL (")
    ed.replace(toks[i - 1].end + 1, toks[i].end + 1, f") {unit}")
    return True


def _cast(ed: Edits, toks: list[Token], i: int, target: str) -> None:
    """``CHAR(x)`` -> ``CAST(x AS VARCHAR)``; ``DECIMAL(x, p, s)`` -> ``CAST(x AS DECIMAL(p, s))``."""
    close = matching(toks, i + 1)
    commas = top_level_commas(toks, i + 1, close)
    prefix = "CAST("
    if target == "DECIMAL":
        # DB2 truncates to the scale (DuckDB's CAST rounds): CAST(trunc(x * 10^s) / 10^s AS DECIMAL(p, s)).
        args = [ed.text[toks[a].end + 1: toks[b].start].strip() for a, b in zip(commas, [*commas[1:], close])]
        precision, scale = (args + ["15", "0"])[:2] if len(args) != 1 else (args[0], "0")
        new = f" AS DECIMAL({precision}, {scale})"
        if scale.isdigit() and int(scale) <= 18:
            factor = "1" + "0" * int(scale)
            prefix = "CAST(trunc(CAST("
            new = f" AS DECIMAL(38, 18)) * {factor}) / {factor}{new}"
    else:
        new = f" AS {target}"  # a second argument (CHAR(d, ISO), VARCHAR(x, n)) is dropped
    ed.tokens(toks[i], toks[i + 1], prefix)
    if commas:
        ed.replace(toks[commas[0]].start, toks[close].start, new)
    else:
        ed.before(toks[close], new)


#: DB2 format elements -> strftime's, longest first.
_FORMAT = (("YYYY", "%Y"), ("HH24", "%H"), ("HH12", "%I"), ("MI", "%M"), ("SS", "%S"), ("MM", "%m"),
           ("DD", "%d"), ("YY", "%y"), ("HH", "%I"), ("MON", "%b"))


def _varchar_format(ed: Edits, toks: list[Token], i: int) -> None:
    """``VARCHAR_FORMAT(x, 'fmt')`` -> ``strftime(CAST(x AS TIMESTAMP), '%fmt')``; one argument: a cast."""
    close = matching(toks, i + 1)
    commas = top_level_commas(toks, i + 1, close)
    if not commas:
        _cast(ed, toks, i, "VARCHAR")
        return
    fmt = toks[commas[0] + 1]
    if len(commas) > 1 or fmt.token_type != TokenType.STRING or commas[0] + 2 != close:
        raise UnsupportedConstructError(f"line {fmt.line}: VARCHAR_FORMAT is rewritten only with a format "
                                        "string literal, e.g. VARCHAR_FORMAT(d, 'YYYY-MM-DD')")
    out = ""
    s = fmt.text
    while s:
        hit = next(((k, v) for k, v in _FORMAT if s.startswith(k)), None)
        out, s = (out + hit[1], s[len(hit[0]):]) if hit else (out + s[0].replace("%", "%%"), s[1:])
    ed.tokens(toks[i], toks[i + 1], "strftime(CAST(")
    ed.tokens(toks[commas[0]], fmt, " AS TIMESTAMP), '" + out.replace("'", "''") + "'")
