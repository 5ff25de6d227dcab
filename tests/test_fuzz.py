"""schemathesis against the service's own OpenAPI document: no 5xx, no response that breaks
the documented schema. Bounded (FUZZ_EXAMPLES per operation) so that CI stays quick."""
import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import headers, make_article, make_comment, make_key

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_every_operation_conforms(app, runtime):
    article = make_article(runtime, "a-1")
    make_comment(runtime, article, status="approved")
    make_comment(runtime, article)
    auth = headers(make_key(runtime, "admin", "fuzzer"))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ran: dict[str, int] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case):
            ran[operation.label] = ran.get(operation.label, 0) + 1
            case.call_and_validate(headers=auth, checks=CHECKS)

        exercise()
    print(f"schemathesis: {sum(ran.values())} examples over {len(ran)} operations")
    assert len(ran) == len(operations)
