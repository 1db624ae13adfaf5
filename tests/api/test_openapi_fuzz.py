"""schemathesis against the WSGI app, from the description the app serves: signed in as the lead of
an inspection under way (so ids in paths are real), with a valid CSRF token. Every operation gets
valid and invalid data, a few examples each (capped for CI time): never a server error, and valid
requests get answers that conform to the description (status, content type, body schema)."""

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from models import ChecklistTemplate, Inspection, db, utcnow
from models.enums import Role
from tests.factories import csrf_token, make_photo, sign_in
from tests.scenario import new_finding_in

MAX_EXAMPLES = 12
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _settings():
    # no shrinking: a failure reports its first example (with a curl line) instead of minutising for minutes
    return settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def _realistic(case, real: dict) -> None:
    """Valid data names a real checklist item and the device's clock now, so it reaches the services,
    as the signed-in session (a generated bearer token would only be refused: invalid data tries it)."""
    if case.headers:
        case.headers.pop("Authorization", None)
    if isinstance(case.body, dict):
        case.body.update({k: v for k, v in real.items() if k in case.body})
        if "file" in case.body:  # a real photo, whose digest the generated sha256 would not match
            case.body.pop("sha256", None)


def _run(operation, mode, client, headers, cookies, path_parameters, real, statuses):
    checks = CONFORMANCE if mode == GenerationMode.POSITIVE else [not_a_server_error]
    real_ids = {name: value for name, value in path_parameters.items()
                if name in {p.name for p in operation.path_parameters}}

    @_settings()
    @given(case=operation.as_strategy(mode, path_parameters=real_ids or None))
    def fuzz(case):
        if mode == GenerationMode.POSITIVE:
            _realistic(case, real)
        response = case.call(session=client, headers=headers, cookies=cookies)
        case.validate_response(response, checks=checks, headers=headers)
        statuses.add((operation.label, response.status_code))

    fuzz()


def test_the_api_holds_under_schemathesis(app, client, scenario):
    inspector = scenario.user_for(Role.INSPECTOR)
    finding = new_finding_in(scenario.home_of(Role.INSPECTOR))  # an inspection under way, led by the inspector
    db.session.commit()
    sign_in(client, inspector)
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    # the description's security schemes make schemathesis generate a cookie and a header of its own:
    # the real ones are passed on every call and take precedence
    cookies = {"session": client.get_cookie("session").value}
    schema = schemathesis.openapi.from_dict(client.get("/api/v1/openapi.json").get_json())
    schema.app = app
    ids = {"inspection_id": finding.inspection_id, "finding_id": finding.id}
    template_id = db.session.get(Inspection, finding.inspection_id).template_id
    real = {"item_id": db.session.get(ChecklistTemplate, template_id).items[0].id, "device_time": utcnow().isoformat(),
            "file": make_photo(size=(320, 240))}
    statuses = set()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, mode, client, headers, cookies, ids, real, statuses)
    stored = {label for label, status in statuses if 200 <= status < 300}
    # valid data got through to the services, not only refusals
    assert {"POST /api/v1/inspections/{inspection_id}/results", "POST /api/v1/inspections/{inspection_id}/findings",
            "POST /api/v1/findings/{finding_id}/photos", "GET /api/v1/inspections/{inspection_id}"} <= stored
