"""A clinical note, or a patient's own words, in English → a Patient with its sources.

Mentions come from eligo's vocabulary (conditions, drugs, labs) and a few patterns (procedures,
pregnancy, progression, biomarkers); medspaCy's ConText judges each one's context, clause by
clause. Every fact keeps the sentence it was read from and the span of the words that named it,
so evidence can quote the note. A note documents no domain in full; a clinical note sums up the
patient's history (``Patient.summarised``, :mod:`.scope`): what it does not mention is unknown, or
presumed absent where that clears the patient (docs/matching.md); what it denies ("no brain
metastases") is a documented absence.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from eligo.model.patient import (
    Condition,
    DiseaseStatus,
    FactSource,
    Histology,
    Observation,
    Patient,
    PatientRead,
    PerformanceStatus,
    PregnancyStatus,
    RecordWarning,
    Stage,
    TrialParticipation,
)
from eligo.patients.note import findings, measures, scope
from eligo.patients.note.context import assess
from eligo.patients.note.dates import date_range, find_dates, nearest_date
from eligo.patients.note.text import Piece, clauses, sentences
from eligo.patients.note.treatments import medications, procedures
from eligo.patients.staging import stage_group, tnm_category
from eligo.patients.tables import find_site, load, procedure_patterns
from eligo.vocab import vocabulary

_MAX_CHARS = 100_000
_PAST = re.compile(r"(?:history of|h/o|past|prior|previous|resolved|treated)\b", re.I)


@dataclass
class _State:
    patient: Patient
    as_of: dt.date
    file: str | None
    warnings: list[RecordWarning] = field(default_factory=list)
    cancer: Condition | None = None  # the neoplasm later stage, grade and sites belong to


def warm_up() -> None:
    """Build the pipeline and every table a note needs, so the first real note is fast."""
    read_note(
        "A 64-year-old man, ECOG 1, on carboplatin; no brain metastases. Platelets 85 x10^9/L, "
        "Hb 9.2 two weeks ago. DLL3 positive. WBRT in March 2024. She is not pregnant.",
        as_of=dt.date(2025, 1, 1),
    )


def read_note(text: str, *, as_of: dt.date | None = None, name: str | None = None) -> PatientRead:
    """Read the facts of an English note; ``as_of`` dates "2 months ago" (default: today)."""
    as_of = as_of or dt.date.today()
    text = text if isinstance(text, str) else ""
    state = _State(Patient(source=FactSource(adapter="note", file=name)), as_of, name)
    if len(text) > _MAX_CHARS:
        state.warnings.append(
            RecordWarning(
                resource="note",
                field="text",
                file=name,
                message=f"longer than {_MAX_CHARS} characters; the rest was not read",
            )
        )
        text = text[:_MAX_CHARS]
    _demographics(state, text)
    state.patient.summarised = scope.summarised(text)
    state.patient.note_text = text
    for sentence in sentences(text):
        for clause in clauses(sentence):
            _read_clause(state, sentence, clause)
    state.patient.refresh_therapy_lines()
    return PatientRead(patient=state.patient, warnings=state.warnings)


def _demographics(state: _State, text: str) -> None:
    found = measures.age(text)
    if found is not None:
        state.patient.stated_age, state.patient.stated_age_on = found[0], state.as_of
    state.patient.sex = measures.sex(text)  # type: ignore[assignment]


def _source(state: _State, sentence: Piece, start: int, end: int) -> FactSource:
    return FactSource(
        adapter="note",
        file=state.file,
        sentence=sentence.text,
        sentence_span=(sentence.start, sentence.end),
        span=(start, end),
    )


def _read_clause(state: _State, sentence: Piece, clause: Piece) -> None:
    text, at = clause.text, clause.start
    vocab = vocabulary()
    dates = find_dates(text, state.as_of)
    conditions = vocab.find_conditions(text)
    drugs = vocab.find_drugs(text)
    taken = [(m.start, m.end) for m in (*conditions, *drugs)]
    procs = [
        (m.start(), m.end(), kind)
        for kind, pattern in procedure_patterns()
        for m in pattern.finditer(text)
    ]
    procs = _without_overlaps(procs, taken)
    found = [
        f
        for f in findings.finding_spans(text)
        if not any(f.start < e and s < f.end for s, e in taken)
        and (f.what != "pregnant" or findings.pregnancy_now(text, f.start, f.end))
    ]
    spans = [(m.start, m.end) for m in conditions] + [(m.start, m.end) for m in drugs]
    spans += [(s, e) for s, e, _ in procs] + [(f.start, f.end) for f in found]
    context = assess(text, spans)
    c_ctx, rest = context[: len(conditions)], context[len(conditions) :]
    d_ctx, rest = rest[: len(drugs)], rest[len(drugs) :]
    p_ctx, f_ctx = rest[: len(procs)], rest[len(procs) :]
    source = _source(state, sentence, clause.start, clause.end)
    for mention, assertion in zip(conditions, c_ctx, strict=True):
        if not assertion.family:
            _condition(state, sentence, clause, mention, assertion, dates)
    _cancer_details(state, text, source)
    period = date_range(text, state.as_of)
    state.patient.medications += medications(
        text, drugs, d_ctx, dates, period, f"{sentence.start}.{clause.start}", source, at
    )
    state.patient.procedures += procedures(text, procs, p_ctx, dates, source, at)
    for finding, assertion in zip(found, f_ctx, strict=True):
        _finding(state, finding, assertion, dates, source, at)
    _pregnancy_test(state, text, dates, source)
    state.patient.commitments += scope.commitments(text, source, at)
    _measures(state, sentence, clause, dates)
    state.patient.biomarkers += [
        b.model_copy(update={"date": nearest_date(dates, b.source.span[0] - at)})
        for b in findings.read_biomarkers(text, source, at)
        if b.source is not None and b.source.span is not None
    ]


def _without_overlaps(
    spans: list[tuple[int, int, str]], taken: list[tuple[int, int]]
) -> list[tuple[int, int, str]]:
    kept: list[tuple[int, int, str]] = []
    for s, e, kind in sorted(spans, key=lambda x: (x[0], -(x[1] - x[0]))):
        occupied = taken + [(a, b) for a, b, _ in kept]
        if not any(s < b and a < e for a, b in occupied):
            kept.append((s, e, kind))
    return kept


def _condition(state, sentence, clause, mention, assertion, dates) -> None:  # type: ignore[no-untyped-def]
    concept = vocabulary().conditions.get(mention.concept_id)
    category = concept.category if concept else None
    start = clause.start + mention.start
    historical = assertion.historical or bool(_PAST.match(mention.text))
    if mention.concept_id in ("pregnancy", "breastfeeding"):
        now = findings.pregnancy_now(clause.text, mention.start, mention.end)
        if historical or not now:
            return  # past pregnancies, and pregnancy as another condition's setting
        field = "pregnant" if mention.concept_id == "pregnancy" else "breastfeeding"
        state.patient.pregnancy.append(
            PregnancyStatus(
                date=nearest_date(dates, mention.start),
                source=_source(
                    state, sentence, clause.start + mention.start, clause.start + mention.end
                ),
                **{field: not assertion.negated},
            )
        )
    onset = nearest_date(dates, mention.start, mention.end)
    historical = historical or _past_event(clause.text, mention.start, onset, state.as_of)
    condition = Condition(
        concept_id=mention.concept_id,
        text=mention.text,
        status="resolved" if assertion.resolved else "history" if historical else "active",
        negated=assertion.negated,
        certainty="uncertain" if assertion.uncertain or assertion.hypothetical else "confirmed",
        onset=onset,
        source=_source(state, sentence, start, start + len(mention.text)),
    )
    form = _qualified(clause.text, mention.start) if assertion.negated else None
    if form is not None:
        # "negative for obstructive pancreatitis": one form denied, not the disease
        condition.certainty = "uncertain"
        condition.text = clause.text[form : mention.end]
    if concept is not None and concept.icdo3:
        condition.histology = Histology(icdo3=concept.icdo3[0], concept_id=concept.id)
    if category == "metastasis":
        condition.role = "metastasis"
        condition.body_site = find_site(mention.text)
        if (
            state.cancer is not None
            and condition.body_site
            and not condition.negated
            and condition.body_site not in state.cancer.metastatic_sites
        ):
            state.cancer.metastatic_sites.append(condition.body_site)
    elif category == "neoplasm" and not condition.negated and state.cancer is None:
        condition.role = "primary"
        state.cancer = condition
    state.patient.conditions.append(condition)


def _past_event(clause: str, start: int, onset: dt.date | None, as_of: dt.date) -> bool:
    """ "had a myocardial infarction 2 years earlier": an event of the history, over by now."""
    table = load("note_reading")["past_event"]
    if onset is None or (as_of - onset).days < table["past_days"]:
        return False
    return re.search(table["verbs"], clause[:start], re.I) is not None


def _qualified(clause: str, start: int) -> int | None:
    """Where a word naming one form of a disease starts, when one stands right before the
    disease's name ("obstructive" pancreatitis)."""
    match = re.search(r"([\w-]+)\s+$", clause[max(0, start - 25) : start])
    if match is None or match.group(1).casefold() not in load("note_reading")["denial_qualifiers"]:
        return None
    return max(0, start - 25) + match.start(1)


def _cancer_details(state: _State, text: str, source: FactSource) -> None:
    """Stage and grade written near the cancer ("extensive-stage", "stage IV", "T2N1M0")."""
    cancer = state.cancer
    if cancer is None:
        return
    group = stage_group(text) if "stage" in text.lower() or "-SCLC" in text else None
    t, n, m = (tnm_category(text, axis) for axis in "TNM")
    if group or (t and n and m):
        cancer.stages.append(Stage(group=group, t=t, n=n, m=m, source=source))
    for site in findings.metastatic_sites(text):
        if site not in cancer.metastatic_sites:
            cancer.metastatic_sites.append(site)
    grade = findings.grade(text)
    if grade and cancer.grade is None:
        cancer.grade = grade


def _finding(state, finding, assertion, dates, source, at) -> None:  # type: ignore[no-untyped-def]
    if assertion.family or assertion.hypothetical:
        return
    day = nearest_date(dates, finding.start)
    here = source.model_copy(update={"span": (at + finding.start, at + finding.end)})
    if finding.what in ("pregnant", "breastfeeding"):
        state.patient.pregnancy.append(
            PregnancyStatus(date=day, source=here, **{finding.what: not assertion.negated})
        )
    elif finding.what in ("progression", "response", "stable") and not assertion.negated:
        state.patient.disease_status.append(
            DiseaseStatus(status=finding.what, date=day, text=source.sentence, source=here)
        )
    elif finding.what == "trial" and not assertion.negated:
        state.patient.trial_participation.append(
            TrialParticipation(text=source.sentence, start=day, source=here)
        )


def _pregnancy_test(state: _State, text: str, dates: list, source: FactSource) -> None:
    result = findings.pregnancy_test(text)
    if result is not None:
        state.patient.pregnancy.append(
            PregnancyStatus(pregnant=result, source=source, date=nearest_date(dates, 0))
        )


def _measures(state: _State, sentence: Piece, clause: Piece, dates: list) -> None:
    text, at = clause.text, clause.start
    for scale, value, position in measures.performance(text):
        state.patient.performance_status.append(
            PerformanceStatus(
                scale=scale,
                value=value,
                date=nearest_date(dates, position),  # type: ignore[arg-type]
                source=_source(state, sentence, at + position, at + position + 4),
            )
        )
    for lab in measures.labs(text):
        where = (at + lab.start, at + lab.end)
        if lab.note:
            state.warnings.append(
                RecordWarning(
                    resource=f"note chars {where[0]}-{where[1]}",
                    field=lab.measurement_id,
                    message=lab.note,
                    file=state.file,
                )
            )
        if lab.value is None and lab.original_unit is not None:
            continue  # a unit that does not convert: warned, not read
        state.patient.observations.append(
            Observation(
                measurement_id=lab.measurement_id,
                text=text[lab.start : lab.end],
                value=lab.value,
                unit=lab.unit,
                comparator=lab.comparator,
                original_value=lab.original_value,
                original_unit=lab.original_unit,
                value_text=lab.value_text,
                date=nearest_date(dates, lab.start),
                source=_source(state, sentence, *where),
            )
        )
