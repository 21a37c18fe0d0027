"""The report journal: what was appended survives (a torn last line is skipped), a sealed batch is
kept until discarded, and a failed batch is tried again before newer reports."""

from __future__ import annotations

from pathlib import Path

from fenjie.progress.journal import ReportJournal, default_journal_path


def _entry(k: int) -> tuple[str, str]:
    iri = f"https://w3id.org/fenjie/id/report/a-{k:024d}"
    return iri, f'<{iri}> <urn:p> "进展{k}\\n第二行" <{iri}> .\n'


def test_appended_entries_come_back_in_order_and_a_torn_line_is_skipped(tmp_path: Path) -> None:
    journal = ReportJournal(default_journal_path(tmp_path / "store"))
    assert journal.path == tmp_path / "store.reports.journal"
    journal.append([_entry(1), _entry(2)])
    journal.append([_entry(3)])
    with journal.path.open("a", encoding="utf-8") as torn:  # a crash in the middle of a line
        torn.write('{"iri": "https://w3id.org/fenjie/id/report/a-9", "nqu')
    assert journal.pending() == [_entry(1), _entry(2), _entry(3)]


def test_a_sealed_batch_stays_until_discarded_and_goes_first(tmp_path: Path) -> None:
    journal = ReportJournal(tmp_path / "j")
    journal.append([_entry(1), _entry(2)])
    assert journal.seal() == [_entry(1), _entry(2)]
    assert not journal.path.exists() and journal.sealed.exists()
    journal.append([_entry(3)])  # arrives while the batch is being added
    assert journal.pending() == [_entry(1), _entry(2), _entry(3)]
    # the batch failed (say a build held the store): the next seal tries it again, first
    assert journal.seal() == [_entry(1), _entry(2), _entry(3)]
    assert journal.pending() == [_entry(1), _entry(2), _entry(3)]
    journal.discard_sealed()
    assert journal.pending() == []
    assert journal.seal() == []
