"""What an exercise is, and the run it is set on.

An :class:`Exercise` holds the trainer's text (task, tables, three graded hints), the run's answer
(a function of the run returning a DataFrame: the exact key) and, where a learner could write it,
the DuckDB solution query. The text is a template: ``{name}`` fields are filled from
:meth:`RunContext.fields` (table names of this run's profile, the error scale, published figures).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from synth.errors import InputError
from synth.profile.sail import era_name
from synth.sql import query
from synth.validate.core import RunData


@dataclass(frozen=True)
class Exercise:
    """One exercise of a teaching pack.

    Attributes:
        id: file stem, ``<track>-NN`` (answers are named ``<id>.csv`` or ``<id>.sql``).
        track: one of :data:`TRACKS`.
        level: difficulty 1 (first steps) to 3 (advanced).
        title: a short title.
        task: the task in a trainer's words (Markdown template).
        tables: the tables it needs, as ``agency/table`` profile keys or ``truth/<name>``.
        hints: three hints, from a nudge to nearly the method (templates).
        answer: the key: the exact expected result on the run.
        key: columns that identify a row of the answer (the others are compared as values).
        tolerance: absolute tolerance for float value columns (counts are always exact).
        solution: a DuckDB query giving the answer (template), or None when the answer is pandas-only.
        published: the published figure to set beside the run's answer (template), or "".
    """

    id: str
    track: str
    level: int
    title: str
    task: str
    tables: tuple[str, ...]
    hints: tuple[str, str, str]
    answer: Callable[[RunContext], pd.DataFrame]
    key: tuple[str, ...]
    tolerance: float = 1e-6
    solution: str | None = None
    published: str = ""
    needs: tuple[str, ...] = field(default=())


class RunContext:
    """A run as the exercises see it: its profile's names, tables, truth, and SQL over it.

    Args:
        path: a folder made by ``synth generate``.

    Raises:
        InputError: when the folder is not a run.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.data = RunData(self.path)
        self.profile = self.data.profile
        self.manifest = self.data.manifest
        self.ids = self.profile.linkage.ids if self.profile.linkage else "E"

    @property
    def seed(self) -> int:
        """The run's seed."""
        return int(self.manifest.get("seed", 0))

    @property
    def error_scale(self) -> float:
        """The identifier-error scale the run was generated at (``--errors``)."""
        return float(self.manifest.get("identifier_error_scale", 1.0))

    @property
    def dirty_level(self) -> int:
        """The ``--dirty`` level of the run (0: clean)."""
        return int(self.manifest.get("dirty_level", 0) or 0)

    @property
    def period_end(self) -> pd.Timestamp:
        """The last day of the run's period (the end of every follow-up)."""
        return pd.Timestamp(self.profile.period.end)

    def has(self, key: str) -> bool:
        """Whether the run holds ``agency/table-key`` (a profile key) or ``truth/<name>``."""
        folder, name = key.split("/", 1)
        if folder == "truth":
            return self.data.file("truth", name) is not None
        agency = self.profile.agencies.get(folder)
        return agency is not None and name in agency.tables and \
            self.data.file(folder, agency.tables[name].name) is not None

    def name(self, key: str) -> str:
        """The SQL name of ``agency/table-key`` (``SAIL0000V.CAFW_CASE_20240630``) or ``truth/x`` (``truth.x``)."""
        folder, name = key.split("/", 1)
        if folder == "truth":
            return f"truth.{name}"
        agency = self.profile.agencies[folder]
        table = agency.tables[name].name
        return f'{agency.schema_name}."{table}"' if table.lower() in ("case", "order") else \
            f"{agency.schema_name}.{table}"

    def col(self, name: str) -> str:
        """A column name in the run's id era (``incidentid_e`` -> ``incidentid_pe`` in era PE)."""
        return era_name(name, self.ids)

    def table(self, key: str) -> pd.DataFrame:
        """An agency table (``agency/table-key``) or truth table (``truth/name``) as a DataFrame."""
        folder, name = key.split("/", 1)
        if folder == "truth":
            return self.data.truth(name)
        return self.data.agency_table(folder, name)

    def sql(self, text: str) -> pd.DataFrame:
        """DuckDB SQL over the run (:func:`synth.sql.query`), the last query's rows."""
        return query(self.path, self.fill(text), "duckdb", where="exercise")

    def fields(self) -> dict[str, str]:
        """Template fields: ``T_<agency>_<table>`` SQL names, ``c_<col>`` era names, the run's settings."""
        out: dict[str, str] = {"errors": f"{self.error_scale:g}", "seed": str(self.seed),
                               "dirty": str(self.dirty_level), "profile": self.profile.name,
                               "period_end": self.period_end.strftime("%-d %B %Y"),
                               "followed_from": (self.period_end - pd.DateOffset(years=3)).strftime("%-d %B %Y")}
        for akey, agency in self.profile.agencies.items():
            for tkey in agency.tables:
                out[f"T_{akey}_{tkey}"] = self.name(f"{akey}/{tkey}")
        for c in ("incidentid_e", "cap_incidentid_e", "cap_applicationid_e", "record1id_e", "record2id_e",
                  "system_id_e", "alf_e", "pers_id_e", "true_alf_e"):
            out[f"c_{c}"] = self.col(c)
            out[f"C_{c.upper()}"] = self.col(c.upper())
        return out

    def fill(self, text: str) -> str:
        """A template with this run's fields filled in."""
        try:
            return text.format(**self.fields())
        except KeyError as e:  # a table the run's profile does not declare
            raise InputError(f"the run's profile {self.profile.name} has no {e.args[0]}; "
                             "generate the run from training_small or england_wales") from None
