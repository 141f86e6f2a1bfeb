"""A Markdown data dictionary generated from the profile: tables, columns, codes and sources."""

from __future__ import annotations

from synth.export.database import TableMeta
from synth.profile.models import Column, Profile
from synth.world.quality import QUALITY_ISSUES_DESCRIPTIONS, QUALITY_ISSUES_FIELDS
from synth.world.schema import CROSSWALK_DESCRIPTIONS, CROSSWALK_FIELDS, TRUTH_DESCRIPTIONS, TRUTH_TABLES


def _source(col: Column) -> str:
    if col.const is not None:
        src = f"constant `{col.const}`"
    elif col.id is not None:
        src = f"{col.id} id (keyed) of `{col.field or 'row'}`"
    elif col.field is None:
        src = "always empty (real column, values not modelled)"
    else:
        src = f"`{col.field}`"
    if col.transforms:
        src += " → " + ", ".join(t.name for t in col.transforms)
    return src


def _missing(col: Column) -> str:
    m = col.missing
    if m is None:
        return ""
    if m.rate is not None:
        return f"{m.rate:.0%}"
    return ", ".join(f"{y}: {r:.0%}" for y, r in sorted((m.by_year or {}).items()))


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_dictionary(profile: Profile, counts: dict[str, int]) -> str:
    """The dictionary as Markdown.

    Args:
        profile: the run's profile.
        counts: rows per output table, keyed ``agency/table``.
    """
    out = [f"# Data dictionary: {profile.name}", "", profile.description.strip(), "",
           f"Period {profile.period.start} to {profile.period.end}. Synthetic data: no real person is in it.", "",
           "Citations such as `schemas.md 2.2` or `stats.md 1a` name sections of the project's domain notes; "
           "each resolves to its subject and public sources in `synth/profiles/reference/SOURCES.md` "
           "(section *Citation keys*).", "",
           "In `synth.duckdb` (DuckDB storage version v1.2.0: DuckDB 1.2 and later, and the 1.5 CLI, open it) "
           "every table comment starts `SYNTHETIC` and every column comment is its description below "
           "(after the SQL type where one is declared). Each table's key is declared as its PRIMARY KEY and "
           "each foreign key below as a FOREIGN KEY when the rows satisfy it (see `duckdb_constraints()`); "
           "each declared foreign key also gets a view `<table>__<referenced table>` (suffixed with the "
           "key's columns when a table has two keys to one table) holding the table's rows with the "
           "referenced row's other columns, e.g. `familyman.events__cases`, `ssda903.episodes__header`, "
           "`SAIL0000V.\"CAFW_APPLICATION_SUBJECT_20240630__CAFW_APPLICATION_20240630\"`.", ""]
    for akey, ag in profile.agencies.items():
        out += [f"## {ag.title} (`{akey}/`, DuckDB schema `{ag.schema_name}`)", ""]
        if ag.description:
            out += [ag.description.strip(), ""]
        if ag.modelled:
            out += ["*Table and column names are modelled on the published unit structure, not copied "
                    "from a public specification.*", ""]
        for t in ag.tables.values():
            n = counts.get(f"{akey}/{t.name}")
            out += [f"### `{t.name}`" + (f" ({n:,} rows)" if n is not None else ""), ""]
            if t.description:
                out += [t.description, ""]
            out += [f"Rows: one per `{t.rows}`" + (f" where {t.where}" if t.where else "") +
                    f". Key: `{', '.join(t.key)}`."]
            for fk in t.foreign_keys:
                out += [f"Foreign key: `{', '.join(fk.columns)}` → `{fk.references}`"
                        f"(`{', '.join(fk.ref_columns)}`)."]
            out += ["", "| column | type | SQL type | from | codes | blank | description |",
                    "|---|---|---|---|---|---|---|"]
            for c in t.columns:
                codes = ", ".join(str(x) for x in c.codes) if c.codes else ""
                out.append(f"| `{c.name}` | {c.type} | {c.sql_type or ''} | {_cell(_source(c))} | {_cell(codes)} | "
                           f"{_missing(c)} | {_cell(c.description)} |")
            out.append("")
            if t.not_modelled:
                out += ["Not modelled (columns of the real table this run does not produce): " +
                        "; ".join(f"`{k}` ({_cell(v)})" for k, v in t.not_modelled.items()) + ".", ""]
    out += ["## Ground truth (`truth/`)", "",
            "The simulated world the agency views were projected from, and `links`: every agency person "
            "record → the truth person. Use it to score linkage and to check analyses. In `links`, "
            "`agency_person_id` is the record's id in the agency's tables and `system_id` its `SYSTEM_ID` "
            "in the agency's File 1: the same value for agencies whose tables are not anonymised, a "
            "different one for SAIL datasets, whose File 1 (the identifiable split file, schemas.md 1.1) "
            "never shares an id with the encrypted `_E` ids of their tables; this map is the only join "
            "between the two.", ""]
    for name, fields in TRUTH_TABLES.items():
        out += [f"### `truth/{name}`", "", ", ".join(f"`{k}` ({v})" for k, v in fields.items()), ""]
        out += [f"- `{k}`: {_cell(v)}" for k, v in TRUTH_DESCRIPTIONS.get(name, {}).items()]
        out += [""] if name in TRUTH_DESCRIPTIONS else []
    out += ["### `truth/case_crosswalk`", "", "One row per person on a proceeding: the proceeding's id in each "
            "agency, to follow one family through each agency's tables (modelled; synth/views/crosswalk.py).", "",
            "| column | type | description |", "|---|---|---|"]
    out += [f"| `{k}` | {v} | {_cell(CROSSWALK_DESCRIPTIONS[k])} |" for k, v in CROSSWALK_FIELDS.items()] + [""]
    if "truth/quality_issues" in counts:  # a --dirty run (synth.dirty)
        out += ["### `truth/quality_issues`", "", "Every data-quality fault this `--dirty` run planted in the agency "
                "tables, one row per changed cell (one per duplicate row): diff a clean run of the same seed and "
                "you find exactly these (modelled; synth/dirty/).", "",
                "| column | type | description |", "|---|---|---|"]
        out += [f"| `{k}` | {v} | {_cell(QUALITY_ISSUES_DESCRIPTIONS[k])} |" for k, v in QUALITY_ISSUES_FIELDS.items()]
        out += [""]
    out += ["## Distributions", "", "| name | kind | provenance |", "|---|---|---|"]
    for name, d in profile.world.distributions.items():
        out.append(f"| `{name}` | {d.leaf_kind()} | {_cell(d.provenance())} |")
    return "\n".join(out) + "\n"


def duckdb_meta(profile: Profile) -> dict[tuple[str, str], TableMeta]:
    """Comments and keys of every agency table for :func:`synth.export.database.build_duckdb`.

    Table comments start ``SYNTHETIC`` and name the agency; column comments are the dictionary's
    descriptions (with the code list when the column has one); foreign keys name the referenced
    table by its name in the database.

    Args:
        profile: the run's profile.
    """
    out: dict[tuple[str, str], TableMeta] = {}
    for akey, ag in profile.agencies.items():
        for t in ag.tables.values():
            cols = {c.name: c.description.strip() + (f" Codes: {', '.join(str(x) for x in c.codes)}."
                                                     if c.codes else "") for c in t.columns}
            fks = tuple((tuple(fk.columns), ag.tables[fk.references].name, tuple(fk.ref_columns))
                        for fk in t.foreign_keys if fk.references in ag.tables)
            comment = (f"SYNTHETIC data generated by synth (profile {profile.name}); no real person is in it. "
                       f"{ag.title} ({akey}/{t.name}). {t.description}").strip()
            out[(ag.schema_name, t.name)] = TableMeta(comment, {k: v.strip() for k, v in cols.items()},
                                                      tuple(t.key), fks)
    for name in TRUTH_TABLES:
        out[("truth", name)] = TableMeta(f"SYNTHETIC ground truth of the run (profile {profile.name}): "
                                         f"the simulated world `truth/{name}`, see dictionary.md.")
    out[("truth", "quality_issues")] = TableMeta(
        f"SYNTHETIC ground truth of the run (profile {profile.name}): the data-quality faults planted by --dirty, "
        "see dictionary.md.", dict(QUALITY_ISSUES_DESCRIPTIONS))
    return out
