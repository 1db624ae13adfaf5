"""The OpenAPI description served at /api/v1/openapi.json covers every /api/v1 route, method by method."""

import re

from models.enums import Role
from tests.factories import sign_in

PATH_ARG = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")


def api_routes(app) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every rule under /api/v1."""
    return {(method.lower(), PATH_ARG.sub(r"{\1}", rule.rule))
            for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_api_route_is_described(app, client, scenario):
    sign_in(client, scenario.user_for(Role.INSPECTOR))
    description = client.get("/api/v1/openapi.json").get_json()
    described = {(method, path) for path, item in description["paths"].items() for method in item}
    assert api_routes(app) - described == set(), "document these routes in inspection/api/openapi.py"
    assert described - api_routes(app) == set(), "described but not served"
    for path, item in description["paths"].items():
        for method, operation in item.items():
            assert "401" in operation["responses"], f"{method} {path}: no 401 answer"
            if method == "post":
                assert operation["requestBody"]["required"] and {"400", "403", "404", "422"} <= set(
                    operation["responses"]), f"{method} {path}: incomplete"
                assert {"sessionCookie": [], "csrfToken": []} in operation["security"]


def test_the_description_and_the_api_answer_401_json_without_a_session(client):
    for url in ("/api/v1/openapi.json", "/api/v1/inspections/today"):
        response = client.get(url)
        assert response.status_code == 401 and "error" in response.get_json()
