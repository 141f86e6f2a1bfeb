"""Coded values written wrongly: codes from old code lists, and free-text variants of codes.

Both apply to text columns with a declared code list (``codes:``), and only write a value that is
*not* in that list, so a check against the code list can find every one. Integer code columns
(903 SEX, CHAR-stored GNDR_CD) are left alone: free text does not fit their type.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from synth.dirty.frame import DirtyTable, pick

#: Current code -> codes of an older list that meant the same (or its forerunner).
#:
#: source: Children and Families Act 2014 s.12 (from 22 April 2014 child arrangements orders
#: replaced residence and contact orders), so CAFE/CAFW order names and Cafcass England order
#: codes fall back to the residence/contact names of the Children Act 1989 s.8 as first enacted.
#: assumption: the SSDA903 placement codes U1-U6 (fostering) replaced Q1 (foster placement with
#: relative or friend) and Q2 (placement with other foster carer), and E4A/E4B (returned home, as
#: part of the care plan or not) replaced E4; older 903 guidance, not in the S-LIIA 2017-2024
#: schemas the profile follows, so these are modelled from the code structure.
OLD_CODES: dict[str, tuple[str, ...]] = {
    "child_arrangements_order": ("residence_order", "contact_order"),
    "Child Arrangements Order": ("Residence Order", "Contact Order"),
    "Interim Child Arrangements Order": ("Interim Residence Order", "Interim Contact Order"),
    "U1": ("Q1",), "U2": ("Q1",), "U3": ("Q1",), "U4": ("Q2",), "U5": ("Q2",), "U6": ("Q2",),
    "E4A": ("E4",), "E4B": ("E4",),
}

#: (column name, code) -> the words a person would type instead of the code.
#: source: schemas.md 3.2 (903 LS, CIN, RNE meanings), 6.5 (DfE ethnicity codes), 1.2 (GENDER_CD 1
#: male, 2 female); FamilyMan main_case_type C/P = care (public) / private (schemas.md 5.1).
LABELS: dict[tuple[str, str], str] = {
    **{("GENDER_CD", k): v for k, v in (("1", "Male"), ("2", "Female"), ("9", "Not specified"))},
    **{("LS", k): v for k, v in (("C1", "Interim care order"), ("C2", "Full care order"), ("E1", "Placement order"),
                                 ("V2", "Section 20"), ("L2", "EPO"), ("D1", "Freeing order"))},
    **{("CIN", k): v for k, v in (("N1", "Abuse or neglect"), ("N2", "Disability"), ("N4", "Acute stress"),
                                  ("N5", "Family dysfunction"), ("N8", "Absent parenting"))},
    **{("ETHNIC", k): v for k, v in (("WBRI", "White British"), ("WIRI", "White Irish"), ("WOTH", "White other"),
                                     ("MWBC", "White and Black Caribbean"), ("AIND", "Indian"),
                                     ("APKN", "Pakistani"), ("ABAN", "Bangladeshi"), ("BCRB", "Caribbean"),
                                     ("BAFR", "African"), ("CHNE", "Chinese"), ("REFU", "Refused"))},
    **{("main_case_type", k): v for k, v in (("C", "Care"), ("P", "Private"))},
}


def code_columns(t: DirtyTable) -> list[str]:
    """Text columns of ``t`` with a declared code list (the key excluded)."""
    return [c.name for c in t.columns() if c.codes and pa.types.is_string(t.type_of(c.name))]


def free_text(column: str, code: str) -> str:
    """What a person types for ``code`` in ``column``: its label if known, else the code reworded.

    ``care_order`` -> ``Care order``; ``Private Law`` -> ``private law``; ``U1`` -> ``u1``; a
    lower-case word -> title case; digits stay as they are (no variant).
    """
    label = LABELS.get((column, code))
    if label is not None:
        return label
    if "_" in code:
        return code.replace("_", " ").capitalize()
    if code != code.lower():
        return code.lower()
    return code.title()  # unchanged for digits: the caller drops a variant that is a listed code


def _isin(t: DirtyTable, name: str, values: list[str]) -> np.ndarray:
    """Rows whose value in ``name`` is one of ``values``."""
    hit = pc.is_in(t.table.column(name), value_set=pa.array(values, pa.string()))
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)


def _plant(t: DirtyTable, rng: np.random.Generator, rate: float, fault: str,
           variants: dict[str, dict[str, list[str]]]) -> None:
    """Replace drawn cells whose value has a variant with one of its variants (chosen at random)."""
    names = code_columns(t)
    if not names or not t.n:
        return
    eligible = np.column_stack([t.free(n) & _isin(t, n, list(variants.get(n, {}))) for n in names])
    rows, cols = pick(rng, eligible, rate)
    choice = rng.random(len(rows))
    for j, name in enumerate(names):
        at = rows[cols == j]
        clean = t.table.column(name).take(pa.array(at)).to_pylist()
        new = [variants[name][v][int(u * len(variants[name][v]))] for v, u in zip(clean, choice[cols == j])]
        t.set(name, at, pa.array(new, pa.string()), fault)


def old_code(t: DirtyTable, rng: np.random.Generator, rate: float) -> None:
    """Write a code from an older code list (:data:`OLD_CODES`) where the column's list has the current one."""
    variants: dict[str, dict[str, list[str]]] = {}
    for c in t.columns():
        if c.codes:
            have = {str(x) for x in c.codes}
            variants[c.name] = {k: [o for o in old if o not in have] for k, old in OLD_CODES.items()
                                if k in have and any(o not in have for o in old)}
    _plant(t, rng, rate, "old_code", variants)


def free_text_code(t: DirtyTable, rng: np.random.Generator, rate: float) -> None:
    """Write a code as free text (``Male`` for ``1``, ``Care order`` for ``care_order``), never a listed code."""
    variants: dict[str, dict[str, list[str]]] = {}
    for c in t.columns():
        if c.codes:
            have = {str(x) for x in c.codes}
            variants[c.name] = {k: [free_text(c.name, k)] for k in have if free_text(c.name, k) not in have}
    _plant(t, rng, rate, "free_text_code", variants)
