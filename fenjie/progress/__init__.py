"""Progress reports (督办) on the plan graph: statuses, reports, ingestion and derived answers."""

from fenjie.progress.status import NOT_REPORTED, Status, parse_status

__all__ = ["NOT_REPORTED", "Status", "parse_status"]
