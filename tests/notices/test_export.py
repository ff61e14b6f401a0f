"""Exports follow the EU DSA Transparency Database's statement-of-reasons schema.

SCHEMA is the API's field list and rules as of github.com/digital-services-act/
transparency-database at commit 69e80a0b (2026-06-24): app/Http/Requests/
StatementStoreRequest.php (`rules()`) and the value lists in app/Models/Statement.php.
"""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.services import comment_create, comment_set_status
from notices import export, services
from notices.models import StatementOfReasons
from tests.factories import UserFactory, relaxed_moderation
from tests.notices.conftest import notice_fields

pytestmark = pytest.mark.django_db

# Every key of StatementStoreRequest::rules().
SCHEMA = [
    "content_id",
    "content_id.EAN-13",
    "content_id_ean",
    "decision_visibility",
    "decision_visibility_other",
    "decision_monetary",
    "decision_monetary_other",
    "decision_provision",
    "decision_account",
    "account_type",
    "category_specification",
    "category_specification_other",
    "decision_ground",
    "decision_ground_reference_url",
    "illegal_content_legal_ground",
    "illegal_content_explanation",
    "incompatible_content_ground",
    "incompatible_content_explanation",
    "incompatible_content_illegal",
    "content_type",
    "content_type_other",
    "category",
    "category_addition",
    "territorial_scope",
    "content_language",
    "content_date",
    "application_date",
    "end_date_account_restriction",
    "end_date_monetary_restriction",
    "end_date_service_restriction",
    "end_date_visibility_restriction",
    "decision_facts",
    "source_type",
    "source_identity",
    "automated_detection",
    "automated_decision",
    "puid",
]
# Required outright (decision_visibility: required unless another restriction is given).
REQUIRED = {
    "decision_visibility",
    "decision_ground",
    "content_type",
    "category",
    "content_date",
    "application_date",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "puid",
}
VALUES = {
    "decision_visibility": {
        "DECISION_VISIBILITY_CONTENT_REMOVED",
        "DECISION_VISIBILITY_CONTENT_DISABLED",
        "DECISION_VISIBILITY_CONTENT_DEMOTED",
        "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
        "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
        "DECISION_VISIBILITY_CONTENT_LABELLED",
        "DECISION_VISIBILITY_OTHER",
    },
    "decision_ground": {"DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"},
    "content_type": {
        "CONTENT_TYPE_APP",
        "CONTENT_TYPE_AUDIO",
        "CONTENT_TYPE_IMAGE",
        "CONTENT_TYPE_PRODUCT",
        "CONTENT_TYPE_SYNTHETIC_MEDIA",
        "CONTENT_TYPE_TEXT",
        "CONTENT_TYPE_VIDEO",
        "CONTENT_TYPE_OTHER",
    },
    "category": {
        "STATEMENT_CATEGORY_ANIMAL_WELFARE",
        "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
        "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
        "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
        "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        "STATEMENT_CATEGORY_SELF_HARM",
        "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
        "STATEMENT_CATEGORY_VIOLENCE",
    },
    "source_type": {
        "SOURCE_ARTICLE_16",
        "SOURCE_TRUSTED_FLAGGER",
        "SOURCE_VOLUNTARY",
        "SOURCE_TYPE_OTHER_NOTIFICATION",
    },
    "automated_detection": {"Yes", "No"},
    "automated_decision": {
        "AUTOMATED_DECISION_FULLY",
        "AUTOMATED_DECISION_PARTIALLY",
        "AUTOMATED_DECISION_NOT_AUTOMATED",
    },
    "incompatible_content_illegal": {"Yes", "No"},
}
MAX_LENGTHS = {
    "decision_ground_reference_url": 500,
    "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000,
    "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000,
    "decision_facts": 5000,
    "puid": 500,
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def schema_problems(record: dict) -> list[str]:
    """What the Transparency Database's API would refuse in this record."""
    problems = [f"missing {name}" for name in REQUIRED if not record.get(name)]
    problems += [f"unknown field {name}" for name in record if name not in SCHEMA]
    for name, allowed in VALUES.items():
        if name in record:
            values = record[name] if isinstance(record[name], list) else [record[name]]
            problems += [f"{name}={v!r}" for v in values if v not in allowed]
    for name, limit in MAX_LENGTHS.items():
        if len(record.get(name, "")) > limit:
            problems.append(f"{name} longer than {limit}")
    for name in ("content_date", "application_date"):
        if not DATE.match(record.get(name, "")):
            problems.append(f"{name} not YYYY-MM-DD")
    if not re.fullmatch(r"[a-zA-Z0-9-_]+", record.get("puid", "")):
        problems.append("puid format")
    ground = record.get("decision_ground")
    if ground == "DECISION_GROUND_ILLEGAL_CONTENT":
        problems += [
            f"required_if illegal: {n}"
            for n in ("illegal_content_legal_ground", "illegal_content_explanation")
            if not record.get(n)
        ]
        problems += [f"excluded: {n}" for n in record if n.startswith("incompatible_content")]
    elif ground == "DECISION_GROUND_INCOMPATIBLE_CONTENT":
        problems += [
            f"required_if incompatible: {n}"
            for n in ("incompatible_content_ground", "incompatible_content_explanation")
            if not record.get(n)
        ]
        problems += [f"excluded: {n}" for n in record if n.startswith("illegal_content")]
    return problems


@pytest.fixture
def statements(comment, moderator):
    """One of each kind: by notice (illegal), by a moderator, by an automatic hold."""
    notice = services.notice_create(comment=comment, **notice_fields())
    services.notice_decide(
        notice=notice,
        moderator=moderator,
        outcome="illegal",
        ground="Criminal code, section 187",
        explanation="Defamation of a named person.",
    )
    other = comment_create(article=comment.article, author=UserFactory(), body="Buy pills")
    comment_set_status(comment=other, status="spam", moderator=moderator)
    relaxed_moderation(first_comment_held=True)
    comment_create(article=comment.article, author=UserFactory(), body="First post")
    return list(StatementOfReasons.objects.for_export())


# Schema fields a comment section never fills: no monetary, service or account restrictions
# (only the comment is restricted), no product IDs, one content type, scope worldwide, no
# end dates (restrictions last until an appeal), and no notifier identity (personal data).
NOT_APPLICABLE = {
    "content_id",
    "content_id.EAN-13",
    "content_id_ean",
    "decision_visibility_other",
    "decision_monetary",
    "decision_monetary_other",
    "decision_provision",
    "decision_account",
    "account_type",
    "category_specification",
    "category_specification_other",
    "content_type_other",
    "category_addition",
    "territorial_scope",
    "content_language",
    "end_date_account_restriction",
    "end_date_monetary_restriction",
    "end_date_service_restriction",
    "end_date_visibility_restriction",
    "source_identity",
}


def test_the_export_field_list_is_the_schemas():
    applicable = [name for name in SCHEMA if name not in NOT_APPLICABLE]
    assert applicable == export.FIELDS
    assert REQUIRED.issubset(export.FIELDS)


def test_every_exported_record_passes_the_schemas_rules(statements):
    assert len(statements) == 3
    records = list(export.records(statements))
    for record in records:
        assert schema_problems(record) == [], record
    by_source = {(r["source_type"], r["automated_decision"]): r for r in records}
    illegal = by_source[("SOURCE_ARTICLE_16", "AUTOMATED_DECISION_NOT_AUTOMATED")]
    assert illegal["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert illegal["illegal_content_legal_ground"] == "Criminal code, section 187"
    assert illegal["content_type"] == ["CONTENT_TYPE_TEXT"]
    spam = by_source[("SOURCE_VOLUNTARY", "AUTOMATED_DECISION_NOT_AUTOMATED")]
    assert spam["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert spam["incompatible_content_ground"] == "The community guidelines"
    assert spam["decision_ground_reference_url"].endswith("/notices/guidelines/")
    held = by_source[("SOURCE_VOLUNTARY", "AUTOMATED_DECISION_FULLY")]
    assert held["automated_detection"] == "Yes"
    assert held["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]


def test_the_checker_catches_a_broken_record(statements):
    record = export.statement_record(statements[0])
    assert schema_problems({**record, "automated_decision": "Yes"}) != []
    assert schema_problems({**record, "puid": "has spaces"}) != []
    assert schema_problems({k: v for k, v in record.items() if k != "category"}) != []


def test_puids_are_stable_and_name_no_one(statements, comment, author):
    first = [r["puid"] for r in export.records(statements)]
    again = [r["puid"] for r in export.records(StatementOfReasons.objects.for_export())]
    assert first == again
    for puid in first:
        assert puid != str(comment.pk)
        assert author.email not in puid
        assert re.fullmatch(r"[0-9a-f-]{36}", puid)


def test_the_command_writes_jsonl_since_a_date(statements):
    out = io.StringIO()
    call_command(
        "export_statements", since=f"{timezone.now():%Y-%m-%d}", format="jsonl", stdout=out
    )
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert all(schema_problems(json.loads(line)) == [] for line in lines)

    out = io.StringIO()
    tomorrow = timezone.now() + dt.timedelta(days=1)
    call_command("export_statements", since=f"{tomorrow:%Y-%m-%d}", format="jsonl", stdout=out)
    assert out.getvalue() == ""


def test_the_command_writes_csv_with_the_schema_header(statements):
    out = io.StringIO()
    call_command("export_statements", "--since", "2020-01-01", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split(",") == export.FIELDS
    assert len(lines) == 4


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="2026-01-31"):
        call_command("export_statements", since="yesterday")
