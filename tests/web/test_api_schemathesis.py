"""schemathesis against the served OpenAPI document, with a member's token, an admin's token and none, on
both databases: whatever the generated input, no answer is a server error, and every answer (status, content
type, body) is what the document says. Bounded: a few examples per operation, so CI stays quick."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.web import factories
from werkkring.actions import sessions as session_actions
from werkkring.actions.accounts import create_api_token
from werkkring.config import Settings
from werkkring.store import Database
from werkkring.web.app import create_app

TOKENS: dict[str, str] = {}
EXAMPLES = 12


@pytest.fixture(params=["member", "admin", "anonymous"])
def api_schema(request: pytest.FixtureRequest, database: Database, web_settings: Settings) -> Any:
    with database.transaction() as session:
        circle = factories.circle(session, "Werkkring Utrecht")
        admin = factories.member(session, "Anna Beheer", role="admin", circles=[circle])
        member = factories.member(session, "Bert Lid", circles=[circle], offers="intervisie begeleiden")
        work_session = session_actions.create_session(
            session,
            title="Werksessie",
            question="Wat heb je nodig?",
            starts_at=dt.datetime(2027, 2, 1, 19, 30),
            circle_id=circle.id,
            actor=admin,
        )
        session_actions.register(session, work_session, actor=member)
        people = {"member": member, "admin": admin}
        TOKENS.clear()
        if request.param in people:
            TOKENS["Authorization"] = (
                "Bearer " + create_api_token(session, "st", actor=people[request.param])[1]
            )
    app = create_app(database, web_settings)
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


def test_the_api_keeps_its_promises_whatever_it_is_sent(api_schema: Any) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            # Rules that JSON Schema cannot say (an end after the start, a title that is not blank) are
            # answered 400 with the reason; schema-valid input being refused is therefore not a failure.
            case.call_and_validate(headers=dict(TOKENS), excluded_checks=[positive_data_acceptance])

        try:
            run()
        except BaseException as error:  # schemathesis raises a group: collect every operation's failures
            if isinstance(error, KeyboardInterrupt):
                raise
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:600]}")
    assert not failures, "\n\n".join(failures)
