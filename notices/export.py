"""Statements of reasons in the EU DSA Transparency Database's statement-of-reasons schema,
as CSV or JSON lines: the admin's export actions and `manage.py export_statements` share it.

Field names and values follow the database's API (`StatementStoreRequest` rules and the
`Statement` model's constants in github.com/digital-services-act/transparency-database).
Fields that do not apply to a statement's decision ground are empty in CSV and left out of
JSON lines, as the API excludes them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO

from django.conf import settings
from django.urls import reverse

from .models import StatementOfReasons

FIELDS = [
    "decision_visibility",
    "decision_ground",
    "decision_ground_reference_url",
    "illegal_content_legal_ground",
    "illegal_content_explanation",
    "incompatible_content_ground",
    "incompatible_content_explanation",
    "incompatible_content_illegal",
    "content_type",
    "category",
    "content_date",
    "application_date",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "puid",
]
ILLEGAL_ONLY = {"illegal_content_legal_ground", "illegal_content_explanation"}
INCOMPATIBLE_ONLY = {
    "incompatible_content_ground",
    "incompatible_content_explanation",
    "incompatible_content_illegal",
}


def statement_record(statement: StatementOfReasons) -> dict:
    """One statement as the schema's fields; lists stay lists (JSON arrays)."""
    illegal = statement.is_illegal_ground
    record = {
        "decision_visibility": [statement.decision_visibility],
        "decision_ground": statement.decision_ground,
        "category": statement.category,
        "content_type": ["CONTENT_TYPE_TEXT"],
        "content_date": f"{statement.content_date:%Y-%m-%d}",
        "application_date": f"{statement.created_at:%Y-%m-%d}",
        "decision_facts": statement.facts,
        "source_type": statement.source_type,
        "automated_detection": "Yes" if statement.is_automated_detection else "No",
        "automated_decision": statement.automated_decision,
        "puid": str(statement.puid),
    }
    if illegal:
        record["illegal_content_legal_ground"] = statement.legal_ground
        record["illegal_content_explanation"] = statement.explanation
    else:
        record["decision_ground_reference_url"] = settings.SITE_URL + reverse("notices:guidelines")
        record["incompatible_content_ground"] = statement.terms_ground
        record["incompatible_content_explanation"] = statement.explanation
        record["incompatible_content_illegal"] = "No"
    return {name: record[name] for name in FIELDS if name in record}


def records(statements: Iterable[StatementOfReasons]) -> Iterator[dict]:
    for statement in statements:
        yield statement_record(statement)


def write_jsonl(statements: Iterable[StatementOfReasons], out: IO[str]) -> int:
    count = 0
    for record in records(statements):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(statements: Iterable[StatementOfReasons], out: IO[str]) -> int:
    """A header row of FIELDS; list values as JSON arrays (`["CONTENT_TYPE_TEXT"]`)."""
    writer = csv.DictWriter(out, fieldnames=FIELDS, restval="")
    writer.writeheader()
    count = 0
    for record in records(statements):
        writer.writerow({k: json.dumps(v) if isinstance(v, list) else v for k, v in record.items()})
        count += 1
    return count


WRITERS = {"csv": write_csv, "jsonl": write_jsonl}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
