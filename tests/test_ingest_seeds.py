"""The two seed documents: the CSV-export layout (seed 000) and a trial page's text (seed 001)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from eligo.errors import RecordError
from eligo.ingest import read_trials
from eligo.model import Trial

SEEDS = Path(__file__).parent / "data" / "seeds"
CSV_SEED = SEEDS / "000_04011d3bb8defd9c.txt"
PAGE_SEED = SEEDS / "001_36ee6b61676e01d5.txt"


def _trial(path: Path, format: str | None = None) -> Trial:
    [item] = read_trials(path, format)
    assert isinstance(item, Trial), item
    return item


def test_csv_export_fields() -> None:
    trial = _trial(CSV_SEED)
    assert trial.source.format == "csv-export"
    assert trial.brief_title.startswith("Iadademstat in Combination With Paclitaxel")
    assert trial.trial_id.startswith("CSV-") and len(trial.trial_id) == 14
    assert trial.conditions == ["Small-cell Lung Cancer", "Neuroendocrine Carcinoma"]
    assert [(i.type, i.name) for i in trial.interventions] == [
        ("DRUG", "Iadademstat"), ("DRUG", "Paclitaxel")]
    assert (trial.status, trial.phases, trial.eligibility_text) == (None, [], None)
    assert (trial.brief_summary or "").startswith("This is a non-randomized single-arm")


def test_csv_export_outcomes_split_at_the_right_commas() -> None:
    outcomes = _trial(CSV_SEED).outcomes
    assert [o.kind for o in outcomes] == ["primary", "secondary", "secondary"]
    assert all(o.time_frame == "2 years" for o in outcomes)
    assert outcomes[1].measure == "To determine the Rate of grade III or higher toxicities"
    assert (outcomes[1].description or "").endswith("using CTCAE version 5.0")
    # commas inside the measure do not cut it
    assert outcomes[2].measure.startswith("Progression free survival (PFS), defined as the time")
    assert outcomes[2].measure.endswith("death, or the end of follow-up, whichever occurs first.")
    assert outcomes[2].description == "To determine Progression Free Survival as per RECIST 1.1"


def test_csv_export_description_keeps_paragraphs_and_loses_escapes() -> None:
    text = _trial(CSV_SEED).detailed_description or ""
    assert text.startswith("Patients with SCLC or extrapulmonary high grade")
    assert "\n\nPatients must have histologically proven" in text
    assert "(Ki-67 index > 20% with poorly differentiated histology)" in text
    assert "\\>" not in text


def test_csv_export_id_is_stable_and_an_nct_id_wins(tmp_path: Path) -> None:
    first, again = _trial(CSV_SEED), _trial(CSV_SEED)
    assert first.trial_id == again.trial_id
    lines = CSV_SEED.read_text("utf-8").split("\n")
    renamed = tmp_path / "renamed.txt"
    renamed.write_text("\n".join(["Another title", *lines[1:]]), "utf-8")
    assert _trial(renamed).trial_id != first.trial_id
    cited = tmp_path / "cited.txt"  # an id cited in the prose names another trial
    cited.write_text("\n".join([*lines, "As in NCT01234567, dosing was weekly."]), "utf-8")
    assert _trial(cited).trial_id == first.trial_id
    named = tmp_path / "named.txt"
    named.write_text("\n".join([*lines, "NCT05420636"]), "utf-8")
    assert _trial(named).trial_id == "NCT05420636"


def test_csv_table_export(tmp_path: Path) -> None:
    table = tmp_path / "ctg-studies.csv"
    table.write_text(
        "NCT Number,Study Title,Study Status,Conditions,Interventions,Sponsor,Sex,Age,Phases,"
        "Enrollment,Study Type,Start Date,Locations\n"
        'NCT07016230,UNLOCK TARLATAMAB,RECRUITING,Small Cell Lung Cancer|NEC,DRUG: Tarlatamab,'
        'Gustave Roussy,ALL,"ADULT, OLDER_ADULT",PHASE2,60,INTERVENTIONAL,2025-10-15,'
        '"Gustave Roussy, Villejuif, 94805, France"\n'
        'NCT00000001,Old trial,Completed,Lung Cancer,,NCI,Female,18 Years to 75 Years,'
        'Phase 1|Phase 2,many,Interventional,March 2001,\n', "utf-8")
    first, second = read_trials(table)
    assert isinstance(first, Trial)
    assert (first.trial_id, first.status, first.phases) == ("NCT07016230", "RECRUITING", ["PHASE2"])
    assert (first.minimum_age, first.maximum_age) == (None, None)  # age groups are not limits
    assert first.start_date == date(2025, 10, 15)
    site = first.sites[0]
    assert (site.facility, site.city, site.zip, site.country) == (
        "Gustave Roussy", "Villejuif", "94805", "France")
    assert isinstance(second, RecordError)
    assert (second.record_id, second.field) == ("NCT00000001", "Enrollment")
    assert "line 3" in (second.source or "")


def test_page_text_header_and_sections() -> None:
    trial = _trial(PAGE_SEED)
    assert trial.source.format == "page-text"
    assert trial.trial_id == "NCT07016230"
    assert trial.brief_title.startswith("Study Investigating Tarlatamab (AMG 757)")
    assert trial.official_title is None  # the page repeats one title, it has not two
    assert (trial.status, trial.phases, trial.sex) == ("RECRUITING", ["PHASE2"], "all")
    assert (trial.minimum_age, trial.maximum_age) == (18.0, None)
    summary = trial.brief_summary or ""
    assert summary.startswith("UNLOCK TARLATAMAB is an open-label")
    assert "Powered by AI" not in summary
    assert trial.conditions == [
        "Metastatic/Locally Advanced Small-Cell Lung Cancer",
        "Metastatic/Locally Advanced Poorly Differentiated NEC",
        "Metastatic/Locally Advanced High-grade MTC",
    ]
    assert trial.sponsor == "Gustave Roussy, Cancer Campus, Grand Paris"
    assert [s.facility for s in trial.sites] == ["Gustave Roussy, Cancer Campus, Grand Paris"]
    assert trial.last_updated == date(2025, 10, 15)
    assert trial.start_date is None


def test_page_text_eligibility_is_verbatim() -> None:
    text = _trial(PAGE_SEED).eligibility_text or ""
    lines = PAGE_SEED.read_text("utf-8").split("\n")
    start = lines.index("Inclusion Criteria:")
    end = lines.index("Study details")
    assert text == "\n".join(lines[start:end]).rstrip("\n")
    assert "FAQs" not in text and "NCT07016230" not in text


def test_page_text_without_id_is_an_error(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(PAGE_SEED.read_text("utf-8").replace("NCT07016230\n", ""), "utf-8")
    [error] = read_trials(page)
    assert isinstance(error, RecordError)
    assert error.field == "trial_id" and error.source == str(page)
