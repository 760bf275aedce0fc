"""Values computed from others: creatinine clearance, eGFR, corrected QT, body-surface area.

Inputs are in the canonical units eligo normalises records to (creatinine in µmol/L, weight in
kg, height in cm, QT in ms, RR in ms, heart rate per minute). The published formulas take serum
creatinine in mg/dL; creatinine's molar mass (113.12 g/mol) gives 1 mg/dL = 88.42 µmol/L.
"""

from __future__ import annotations

import math

CREATININE_UMOL_PER_MG_DL = 88.42


def creatinine_mg_dl(umol_per_l: float) -> float:
    return umol_per_l / CREATININE_UMOL_PER_MG_DL


def cockcroft_gault(age: float, weight_kg: float, female: bool, creatinine_umol_l: float) -> float:
    """Creatinine clearance in mL/min (Cockcroft & Gault, Nephron 1976):
    (140 − age) × weight / (72 × serum creatinine in mg/dL), × 0.85 for women.

    >>> round(cockcroft_gault(60, 72, False, 88.42), 1)
    80.0
    """
    clearance = (140 - age) * weight_kg / (72 * creatinine_mg_dl(creatinine_umol_l))
    return clearance * 0.85 if female else clearance


def ckd_epi_2021(age: float, female: bool, creatinine_umol_l: float) -> float:
    """eGFR in mL/min/1.73 m² by the race-free CKD-EPI creatinine equation (Inker et al.,
    NEJM 2021): 142 × min(Scr/κ, 1)^α × max(Scr/κ, 1)^−1.200 × 0.9938^age (× 1.012 for women),
    κ 0.7 (women) or 0.9 (men), α −0.241 (women) or −0.302 (men)."""
    scr = creatinine_mg_dl(creatinine_umol_l)
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    ratio = scr / kappa
    egfr = 142 * min(ratio, 1) ** alpha * max(ratio, 1) ** -1.200 * 0.9938**age
    return egfr * 1.012 if female else egfr


def mdrd(age: float, female: bool, creatinine_umol_l: float) -> float:
    """eGFR in mL/min/1.73 m² by the 4-variable IDMS-traceable MDRD equation (Levey et al.,
    2006): 175 × Scr^−1.154 × age^−0.203 (× 0.742 for women); the race coefficient is left out,
    as current practice does."""
    egfr = 175 * creatinine_mg_dl(creatinine_umol_l) ** -1.154 * age**-0.203
    return egfr * 0.742 if female else egfr


def rr_from_heart_rate(beats_per_minute: float) -> float:
    """RR interval in ms for a heart rate."""
    return 60_000 / beats_per_minute


def fridericia(qt_ms: float, rr_ms: float) -> float:
    """QTcF = QT / RR^(1/3), RR in seconds (Fridericia 1920).

    >>> round(fridericia(400, 1000))
    400
    """
    return qt_ms / (rr_ms / 1000) ** (1 / 3)


def bazett(qt_ms: float, rr_ms: float) -> float:
    """QTcB = QT / RR^(1/2), RR in seconds (Bazett 1920)."""
    return qt_ms / math.sqrt(rr_ms / 1000)


def mosteller(height_cm: float, weight_kg: float) -> float:
    """Body-surface area in m²: √(height × weight / 3600) (Mosteller, NEJM 1987).

    >>> round(mosteller(180, 80), 2)
    2.0
    """
    return math.sqrt(height_cm * weight_kg / 3600)


def dubois(height_cm: float, weight_kg: float) -> float:
    """Body-surface area in m²: 0.007184 × weight^0.425 × height^0.725 (DuBois & DuBois 1916)."""
    return 0.007184 * weight_kg**0.425 * height_cm**0.725
