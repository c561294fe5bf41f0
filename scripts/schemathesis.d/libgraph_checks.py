"""The check scripts/schemathesis runs on every answer: libgraph's side of the GraphQL-over-HTTP
contract. Loaded by schemathesis through SCHEMATHESIS_HOOKS.

Not schemathesis's own GraphQL checks: `positive_data_acceptance` fails every valid query that a
resolver refuses (`first` and `last` together, `maxHops: 0`, an ID this API never issued), rules
the schema cannot express, and `not_a_server_error` counts any error with a `path` and no code it
knows (QUERY_TOO_COMPLEX, TOO_BROAD) as the server's failure. Here a refusal is fine as long as it
has a code; a server error is a 5xx, an error coded as the server's own failure, or an answer that
is not a GraphQL response.
"""

import json

import schemathesis

# The codes libgraph gives its own failures (api/src/graphql/executor/codes.rs, store/error.rs);
# every other code is a refusal of the request.
SERVER_FAILURES = {"INTERNAL_SERVER_ERROR", "DATABASE_UNAVAILABLE"}


@schemathesis.check
def libgraph_graphql_contract(ctx, response, case):
    """No 5xx, a JSON object of `data`/`errors`/`extensions`, every error with a code that is
    not the server's own failure."""
    assert response.status_code < 500, f"server error: HTTP {response.status_code}"
    try:
        body = json.loads(response.content)
    except ValueError as error:
        raise AssertionError(f"the answer is not JSON: {error}")
    assert isinstance(body, dict), "the answer is not a JSON object"
    extra = set(body) - {"data", "errors", "extensions"}
    assert not extra, f"the answer has keys beyond data, errors and extensions: {sorted(extra)}"
    errors = body.get("errors")
    assert errors is None or (isinstance(errors, list) and errors), "`errors` is not a non-empty list"
    assert "data" in body or errors, "the answer has neither `data` nor `errors`"
    data = body.get("data")
    assert data is None or isinstance(data, dict), "`data` is not an object"
    assert errors or isinstance(data, dict), "no errors and no `data` object"
    for error in errors or []:
        assert isinstance(error, dict) and isinstance(error.get("message"), str), f"an error without a message: {error}"
        code = (error.get("extensions") or {}).get("code")
        assert isinstance(code, str) and code, f"an error without extensions.code: {error}"
        assert code not in SERVER_FAILURES, f"the server failed: {error}"
