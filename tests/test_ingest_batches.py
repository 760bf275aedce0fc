"""Folders, archives and bad files: every record comes through, or an error that names it."""

from __future__ import annotations

import gzip
import io
import json
import random
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from eligo.errors import RecordError
from eligo.ingest import FORMATS, count_hint, detect_format, read_trials
from eligo.model import Trial

DATA = Path(__file__).parent / "data"
XML = DATA / "trials" / "xml"
SEEDS = DATA / "seeds"
XML_IDS = ["NCT00003599", "NCT00003657", "NCT00003726", "NCT00492206", "NCT00495859",
           "NCT02513394"]


def _split(items: list[Trial | RecordError]) -> tuple[list[Trial], list[RecordError]]:
    return ([i for i in items if isinstance(i, Trial)],
            [i for i in items if isinstance(i, RecordError)])


def _bad_files(folder: Path) -> dict[str, bytes]:
    truncated = (XML / "NCT00495859.xml").read_bytes()[:3000]
    noise = random.Random(7).randbytes(2048)
    bad = {
        "truncated.xml": truncated,
        "not-a-study.json": json.dumps({"data": [1, 2, 3], "kind": "weather"}).encode(),
        "empty.xml": b"",
        "blank.json": b"  \n\n ",
        "noise.bin": noise,
        "notes.txt": b"Shopping list:\n- milk\n- eggs\n",
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    return bad


def test_folder_with_bad_files(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    shutil.copytree(XML, folder / "xml")
    shutil.copy(SEEDS / "001_36ee6b61676e01d5.txt", folder / "xml" / "page.txt")
    _bad_files(folder)
    (folder / ".hidden.xml").write_bytes(b"<clinical_study>")
    trials, errors = _split(list(read_trials(folder)))
    assert sorted(t.trial_id for t in trials) == sorted([*XML_IDS, "NCT07016230"])
    by_file = {Path(e.source or "").name: e for e in errors}
    assert set(by_file) == {"truncated.xml", "not-a-study.json", "empty.xml", "blank.json",
                            "noise.bin", "notes.txt"}
    assert by_file["truncated.xml"].record_id == "NCT00495859"
    assert "XML cannot be parsed" in by_file["truncated.xml"].message
    assert "neither a ClinicalTrials.gov study nor a FHIR" in by_file["not-a-study.json"].message
    assert by_file["empty.xml"].message == "file is empty"
    assert by_file["blank.json"].message == "file is empty"
    assert "binary" in by_file["noise.bin"].message
    assert "no trial layout" in by_file["notes.txt"].message
    assert all(str(folder) in (e.source or "") for e in errors)


def test_folder_is_read_in_sorted_order(tmp_path: Path) -> None:
    for name in ("b", "a/z", "a/c"):
        target = tmp_path / f"{name}.xml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(XML / "NCT00003599.xml", target)
    paths = [t.source.path for t in read_trials(tmp_path) if isinstance(t, Trial)]
    assert paths == [str(tmp_path / "a/c.xml"), str(tmp_path / "a/z.xml"), str(tmp_path / "b.xml")]
    assert count_hint(tmp_path) == 3


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def test_tar_gz_stream_with_a_broken_member(tmp_path: Path) -> None:
    path = tmp_path / "records.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        folder = tarfile.TarInfo("NCT0000xxxx")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        for nct in XML_IDS[:3]:
            _add(archive, f"NCT0000xxxx/{nct}.xml", (XML / f"{nct}.xml").read_bytes())
        _add(archive, "NCT0000xxxx/broken.xml", (XML / "NCT00003726.xml").read_bytes()[:2000])
        _add(archive, "NCT0049xxxx/NCT00495859.xml", (XML / "NCT00495859.xml").read_bytes())
    trials, errors = _split(list(read_trials(path)))
    assert [t.trial_id for t in trials] == [*XML_IDS[:3], "NCT00495859"]
    assert trials[0].source.path == f"{path}!NCT0000xxxx/NCT00003599.xml"
    [error] = errors
    assert error.source == f"{path}!NCT0000xxxx/broken.xml"
    assert error.record_id == "NCT00003726"
    assert count_hint(path) is None  # a compressed stream cannot be counted without reading it


def test_damaged_archive_keeps_what_came_before(tmp_path: Path) -> None:
    whole = tmp_path / "whole.tar.gz"
    with tarfile.open(whole, "w:gz") as archive:
        for nct in XML_IDS:
            _add(archive, f"{nct}.xml", (XML / f"{nct}.xml").read_bytes())
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    trials, errors = _split(list(read_trials(cut)))
    assert 1 <= len(trials) < len(XML_IDS)
    assert [t.trial_id for t in trials] == XML_IDS[: len(trials)]
    assert len(errors) >= 1 and errors[-1].source == str(cut)
    assert "damaged" in errors[-1].message


def test_zip_and_gzipped_single_file(tmp_path: Path) -> None:
    path = tmp_path / "records.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(XML / "NCT00003599.xml", "x/NCT00003599.xml")
        archive.write(SEEDS / "000_04011d3bb8defd9c.txt", "x/seed.txt")
        archive.writestr("x/empty.json", b"")
    items = list(read_trials(path))
    assert [type(i).__name__ for i in items] == ["Trial", "Trial", "RecordError"]
    assert items[2].source == f"{path}!x/empty.json"  # type: ignore[union-attr]
    assert count_hint(path) == 3
    single = tmp_path / "study.xml.gz"
    single.write_bytes(gzip.compress((XML / "NCT00003599.xml").read_bytes()))
    [trial] = read_trials(single)
    assert isinstance(trial, Trial) and trial.trial_id == "NCT00003599"


@pytest.mark.parametrize(
    ("source", "misleading_name", "expected"),
    [
        (XML / "NCT00003599.xml", "study.json", "ctgov-xml"),
        (DATA / "trials" / "json" / "NCT02513394.json", "record.xml", "ctgov-json"),
        (DATA / "trials" / "fhir" / "resource.json", "studies.ndjson", "fhir"),
        (SEEDS / "000_04011d3bb8defd9c.txt", "page.html", "csv-export"),
        (SEEDS / "001_36ee6b61676e01d5.txt", "export.csv", "page-text"),
    ],
)
def test_detection_reads_content_not_names(tmp_path: Path, source: Path, misleading_name: str,
                                           expected: str) -> None:
    head = source.read_bytes()[:65536]
    assert detect_format(head, misleading_name) == expected
    target = tmp_path / misleading_name
    shutil.copy(source, target)
    items = list(read_trials(target))
    assert items and all(isinstance(i, Trial) and i.source.format == expected for i in items)


def test_names_break_ties_only() -> None:
    assert detect_format(b'{"data": 1}', "studies.ndjson") == "ctgov-json"
    assert detect_format(b'{"data": 1}', "studies.json") is None
    assert detect_format(b"<?xml version='1.0'?><other/>", "x.xml") == "ctgov-xml"
    assert detect_format(b"<?xml version='1.0'?><other/>", "x.txt") is None
    assert detect_format(b"\x00\x01\x02", "x.xml") is None
    assert detect_format(b"", "x.xml") is None


def test_forced_format_and_bad_arguments(tmp_path: Path) -> None:
    [error] = read_trials(XML / "NCT00003599.xml", format="ctgov-json")
    assert isinstance(error, RecordError) and "JSON cannot be parsed" in error.message
    other = tmp_path / "other.xml"
    other.write_text("<study><id>1</id></study>", "utf-8")
    [wrong_root] = read_trials(other)
    assert isinstance(wrong_root, RecordError) and wrong_root.field == "clinical_study"
    with pytest.raises(ValueError, match="unknown format"):
        read_trials(XML, format="excel")
    with pytest.raises(RecordError, match="no such file"):
        read_trials(tmp_path / "missing")
    assert set(FORMATS) == {"ctgov-json", "ctgov-xml", "csv-export", "page-text", "fhir"}
