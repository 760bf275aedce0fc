"""ECOG ↔ Karnofsky performance status, the usual correspondence (Oken et al. 1982, with
Karnofsky 90–100 read as ECOG 0 as most protocols and the NCI/CTEP tables do).

    ECOG 0  fully active                       Karnofsky 90–100
    ECOG 1  restricted in strenuous activity   Karnofsky 70–80
    ECOG 2  ambulatory, up > 50 % of the day   Karnofsky 50–60
    ECOG 3  limited self-care                  Karnofsky 30–40
    ECOG 4  completely disabled                Karnofsky 10–20
    ECOG 5  dead                               Karnofsky 0

Lansky (children under 16) uses Karnofsky's scale and the same correspondence.
"""

from __future__ import annotations

_ECOG_TO_KARNOFSKY: dict[int, tuple[int, int]] = {
    0: (90, 100),
    1: (70, 80),
    2: (50, 60),
    3: (30, 40),
    4: (10, 20),
    5: (0, 0),
}


def ecog_to_karnofsky(ecog: int) -> tuple[int, int]:
    """The Karnofsky range (low, high) that matches an ECOG grade.

    >>> ecog_to_karnofsky(1)
    (70, 80)
    """
    if ecog not in _ECOG_TO_KARNOFSKY:
        raise ValueError(f"ECOG grade must be 0-5, got {ecog!r}")
    return _ECOG_TO_KARNOFSKY[ecog]


def karnofsky_to_ecog(karnofsky: float) -> int:
    """The ECOG grade for a Karnofsky (or Lansky) score; scores between bands round down.

    >>> karnofsky_to_ecog(70), karnofsky_to_ecog(100), karnofsky_to_ecog(65)
    (1, 0, 2)
    """
    if not 0 <= karnofsky <= 100:
        raise ValueError(f"Karnofsky score must be 0-100, got {karnofsky!r}")
    for ecog, (low, _high) in _ECOG_TO_KARNOFSKY.items():
        if karnofsky >= low:
            return ecog
    return 5
