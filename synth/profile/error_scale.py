"""One knob over every identifier-error rate of a profile (``synth generate --errors``, ``synth.generate(errors=)``).

The scale multiplies the ``rate`` of every entry of every agency's ``identifier_errors`` section;
0 gives clean identifiers (every agency records every person exactly), 1 the profile as written,
2 twice its rates. A scaled rate is capped at 1; where the rates of a field then add up to more
than 1 for some records, the views scale them down to 1 for those records (with a warning).
"""

from __future__ import annotations

import dataclasses

from synth.errors import InputError
from synth.profile.identifier_errors import FIELD_KINDS, IdentifierErrors
from synth.profile.loader import LoadedProfile

#: Largest scale accepted: the profile rates are a few per cent, so 10 already saturates most fields.
MAX_ERROR_SCALE = 10.0


def check_error_scale(scale: float) -> None:
    """Reject a scale outside 0 to :data:`MAX_ERROR_SCALE` (or not a number).

    Raises:
        InputError: one line naming ``--errors``, the value and the range.
    """
    if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not 0 <= scale <= MAX_ERROR_SCALE:
        raise InputError(f"--errors {scale} is impossible; give a number from 0 (clean identifiers) to "
                         f"{MAX_ERROR_SCALE:g} (1 = the profile's identifier-error rates)")


def scaled_errors(model: IdentifierErrors, scale: float) -> IdentifierErrors:
    """``model`` with every rate multiplied by ``scale`` (capped at 1)."""
    update = {f: [e.model_copy(update={"rate": min(1.0, e.rate * scale)}) for e in model.for_field(f)]
              for f in FIELD_KINDS}
    return model.model_copy(update=update)


def with_error_scale(loaded: LoadedProfile, scale: float) -> LoadedProfile:
    """The profile with every agency's identifier-error rates multiplied by ``scale`` (1: unchanged).

    Raises:
        InputError: when ``scale`` is outside 0 to :data:`MAX_ERROR_SCALE`.
    """
    check_error_scale(scale)
    if scale == 1:
        return loaded
    prof = loaded.profile
    agencies = {k: a if a.identifier_errors is None else
                a.model_copy(update={"identifier_errors": scaled_errors(a.identifier_errors, float(scale))})
                for k, a in prof.agencies.items()}
    return dataclasses.replace(loaded, profile=prof.model_copy(update={"agencies": agencies}))
