"""Table names as the real pipelines write them, resolved to the run's tables.

- SAIL (DB2): ``SAILnnnnV.<DATASET>_<TABLE>_<YYYYMMDD>`` (any project number, any date) is the
  newest snapshot ``<DATASET>_<TABLE>_2%`` among the run's SAIL tables, as a pipeline that picks
  the latest refresh would find it; an undated ``SAILnnnnV.<NAME>`` resolves the same way, and a name
  the run has exactly (``CAFW_FILE1``) is itself. ``SAILWnnnnV`` workspaces, and any other schema
  the run lacks that a script names as a table's schema (``SESSION``, ``__temp__``, ``fcsq``), are
  writable schemas, created empty.
- MoJ analytical platform (Presto/Athena): ``familyman_dev_v2.<table>`` (any database whose name
  starts with ``familyman``, with or without the ``awsdatacatalog`` catalogue) is the run's FamilyMan
  table.
- Anything else is left as written: the run's own schema and table names.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from sqlglot.tokens import Token, Tokenizer, TokenType

from synth.sql.catalog import DATED, SAIL_SCHEMA, WORKSPACE_SCHEMA, RunCatalog, RunTable, q
from synth.sql.errors import UnknownTableError
from synth.sql.tokens import Edits, is_word, tokenize, upper

FAMILYMAN = re.compile(r"^familyman", re.IGNORECASE)
CATALOGUE = {"AWSDATACATALOG"}
_PROJECT = re.compile(r"SAIL(?!W)\d+V", re.IGNORECASE)
#: Words before a table name: a schema named there that the run lacks is a writable, empty workspace
#: (``SAILWnnnnV``, ``SESSION``, pydbtools' ``__temp__``, an Athena processing database such as ``fcsq``).
_TABLE_CONTEXT = {"TABLE", "INTO", "FROM", "JOIN", "EXISTS", "VIEW", "UPDATE"}
#: Statement words followed by the name of a table written to.
_WRITES = {"CREATE", "INSERT", "DROP", "ALTER", "TRUNCATE", "DELETE", "MERGE"}


@dataclass
class Resolved:
    """What name resolution found in a statement.

    Attributes:
        text: the statement with names replaced.
        tables: the run tables it reads, in order.
        aliases: SAIL project schema names it mentions (for ``SYSCAT.TABLES``).
        workspaces: writable schemas it names.
    """

    text: str
    tables: list[RunTable] = field(default_factory=list)
    aliases: set[str] = field(default_factory=set)
    workspaces: set[str] = field(default_factory=set)


def written_schemas(text: str, tokenizer: type[Tokenizer] = Tokenizer, where: str = "query",
                    line: int = 1) -> set[str]:
    """Schemas (capitals) of the tables a statement creates, fills, alters or drops.

    A SAIL schema written to is the project's workspace (``SAILWWMCCV`` beside the project views
    ``SAILWMCCV``), whatever its name looks like; its tables are the script's own, not the run's.
    """
    toks = tokenize(text, tokenizer, where, line)
    out: set[str] = set()
    for i, tok in enumerate(toks):
        if upper(tok) in _WRITES and i + 3 < len(toks):
            j = i + 1
            while j < len(toks) and upper(toks[j]) in ("IF", "NOT", "EXISTS", "TABLE", "VIEW", "INTO", "OR",
                                                        "REPLACE", "TEMP", "TEMPORARY"):
                j += 1
            chain = _chain(toks, j) if j < len(toks) else []
            if len(chain) >= 2 and upper(toks[i + 1]) in ("TABLE", "VIEW", "INTO", "OR", "TEMP", "TEMPORARY"):
                out.add(toks[chain[-2]].text.upper())
    return out


def resolve(text: str, catalog: RunCatalog, tokenizer: type[Tokenizer] = Tokenizer, where: str = "query",
            line: int = 1, workspaces: set[str] | frozenset[str] = frozenset()) -> Resolved:
    """Replace the real-pipeline table names of one statement by the run's.

    Args:
        text: the statement.
        catalog: the run's tables.
        tokenizer: the dialect's tokenizer.
        where: the script's name for messages.
        line: the script line the statement starts on.
        workspaces: schemas (capitals) the script writes to (:func:`written_schemas`): left as written.

    Raises:
        UnknownTableError: when a SAIL or FamilyMan name matches no table of the run.
    """
    toks = tokenize(text, tokenizer, where, line)
    out = Resolved(text)
    ed = Edits(text)
    i = 0
    while i < len(toks):
        chain = _chain(toks, i)
        if len(chain) < 2:
            for m in _PROJECT.finditer(toks[i].text if toks[i].token_type == TokenType.STRING else ""):
                out.aliases.add(m.group(0).upper())
            i += 1
            continue
        words = [toks[j].text for j in chain]
        last = chain[2] if len(chain) >= 3 and (words[0].upper() in CATALOGUE or _special(words[1])) else chain[1]
        schema, table = toks[last - 2].text, toks[last].text
        if _PROJECT.fullmatch(schema):
            out.aliases.add(schema.upper())
        found = catalog.find(schema, table)
        if schema.upper() in workspaces and found is None:
            out.workspaces.add(schema)
            i = chain[-1] + 1
            continue
        if WORKSPACE_SCHEMA.match(schema) or (found is None and not _special(schema) and chain[0] and
                                              upper(toks[chain[0] - 1]) in _TABLE_CONTEXT and
                                              schema.upper() not in {s.upper() for s in catalog.schemas()}):
            out.workspaces.add(schema)
        if found is None and _special(schema):
            found = _lookup(catalog, schema, table, where, toks[chain[0]].line + line - 1)
            ed.tokens(toks[chain[0]], toks[last], f"{q(found.schema)}.{q(found.name)}")
        if found is not None:
            out.tables.append(found)
        i = chain[-1] + 1
    out.text = ed.apply()
    return out


def _special(schema: str) -> bool:
    return bool(SAIL_SCHEMA.match(schema) or FAMILYMAN.match(schema))


def _chain(toks: list[Token], i: int) -> list[int]:
    """Indexes of the words of a dotted name starting at ``i`` (``a``, ``a.b``, ``a.b.c``)."""
    if not is_word(toks[i]) or (i and toks[i - 1].token_type == TokenType.DOT):
        return [i]
    out = [i]
    while out[-1] + 2 < len(toks) and toks[out[-1] + 1].token_type == TokenType.DOT and is_word(toks[out[-1] + 2]):
        out.append(out[-1] + 2)
    return out


def _lookup(catalog: RunCatalog, schema: str, table: str, where: str, line: int) -> RunTable:
    """The run table a SAIL or FamilyMan name stands for.

    Raises:
        UnknownTableError: when there is none, naming the nearest names the run has.
    """
    if FAMILYMAN.match(schema):
        pool = [t for t in catalog.tables if FAMILYMAN.match(t.schema)]
        hit = next((t for t in pool if t.name.upper() == table.upper()), None)
    else:
        pool = catalog.sail_tables()
        same = [t for t in pool if t.schema.upper() == schema.upper()]
        m = DATED.match(table)
        base = (m["base"] if m else table).upper()
        exact = [t for t in [*same, *pool] if t.name.upper() == table.upper()]
        dated = [t for t in [*same, *pool] if (d := DATED.match(t.name)) and d["base"].upper() == base
                 and d["date"].startswith("2")]
        hit = exact[0] if exact else max(dated, key=lambda t: t.name[-8:], default=None)
    if hit is not None:
        return hit
    names = [t.name for t in pool]
    near = difflib.get_close_matches(table.upper(), [n.upper() for n in names], n=3, cutoff=0.5)
    hint = f"; nearest: {', '.join(near)}" if near else (f"; it has: {', '.join(names[:12])}" if names else "")
    what = "no FamilyMan table" if FAMILYMAN.match(schema) else "no SAIL table (nor a dated snapshot of it)"
    raise UnknownTableError(f"{where}: line {line}: {schema}.{table}: this run has {what} named {table}{hint}")
