"""Shape tests: the ethnicity an LA's 903 return and Cafcass record for a child, against the truth.

Written here in our own words, as an analyst of the 903 (schemas.md 3.1-3.2) and the Cafcass
extract (schemas.md 2.1) would: the DfE code's first letter gives its broad group (REFU/NOBT not
known), one row per child (the latest collection year), joined to the truth through ``links``. The
world records each child's own code; the agencies' recordings differ only as the profile states
(recode: a mixed child as a parent's group; 903 REFU/NOBT), so every disagreement is explained.
"""

from __future__ import annotations

import pytest

from synth.sql import query
from tests.shapes.helpers import agency_run

FAMILIES = 3000

#: Each looked-after child once (latest year), its recorded code and its true code.
LA_VS_TRUTH = """
WITH latest AS (
  SELECT CHILD, ETHNIC, ROW_NUMBER() OVER (PARTITION BY CHILD ORDER BY YEAR DESC) AS k
  FROM ssda903.header
)
SELECT l.CHILD, l.ETHNIC, p.ethnicity AS true_code,
       CASE WHEN l.ETHNIC IN ('REFU', 'NOBT') THEN 'not known' ELSE LEFT(l.ETHNIC, 1) END AS recorded_group,
       LEFT(p.ethnicity, 1) AS true_group
FROM latest AS l
JOIN truth.links AS k ON k.agency = 'ssda903' AND CAST(k.system_id AS VARCHAR) = l.CHILD
JOIN truth.person AS p ON p.person_id = k.person_id
WHERE l.k = 1
"""

#: Cafcass's broad group of each subject child against the truth.
CAFCASS_VS_TRUTH = """
SELECT DISTINCT c.child_id, c.ethnicity AS recorded, p.ethnicity AS true_code
FROM cafe.child_subject AS c
JOIN truth.links AS k ON k.agency = 'cafcass_england' AND k.agency_person_id = c.child_id
JOIN truth.person AS p ON p.person_id = k.person_id
WHERE c.ethnicity IS NOT NULL
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return agency_run(tmp_path_factory, "england_wales", ["ssda903", "cafcass_england"], FAMILIES, seed=4).path


def test_the_903_code_is_the_truth_except_as_the_profile_records_it(run):
    d = query(run, LA_VS_TRUTH)
    assert len(d) > 500
    differ = d[d["ETHNIC"] != d["true_code"]]
    unknown = differ["recorded_group"] == "not known"
    # Every other disagreement is a mixed child recorded with one parent's group.
    assert (differ.loc[~unknown, "true_group"] == "M").all()
    assert (differ.loc[~unknown, "recorded_group"] != "M").all()
    assert 0 < unknown.mean() * len(differ) / len(d) < 0.03  # 1% stated (REFU/NOBT)
    mixed = d[d["true_group"] == "M"]
    assert 0.02 < (mixed["recorded_group"].isin(["W", "B", "A", "O"])).mean() < 0.25  # 10% stated


def test_cafcass_records_the_childs_broad_group_or_a_parents_for_a_mixed_child(run):
    d = query(run, CAFCASS_VS_TRUTH)
    assert len(d) > 500
    group = {"W": "white", "M": "mixed", "A": "asian or asian british", "B": "black or black british", "O": "other"}
    want = d["true_code"].str[0].map(group).where(d["true_code"] != "CHNE", "chinese")
    differ = d[d["recorded"] != want]
    assert (differ["true_code"].str[0] == "M").all()
    assert differ["recorded"].isin(["white", "black or black british", "asian or asian british"]).all()
