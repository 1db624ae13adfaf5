"""The outbox's batch (POST /api/v1/sync): up to 50 writes in one request, each answered on its own as its
route would answer it (201 stored, 202 already stored, 409 conflict, 422 refused with a message, 404 out
of reach), one item's refusal leaving the others stored; a replayed batch is stored once; over 50 items
or over the size limit, nothing is stored. The per-item routes keep working beside it."""

import uuid

from sqlalchemy import select

from inspection.security.audit import verify_chain
from models import AuditEvent, CheckResult, Finding, Inspection, db
from tests.factories import MINUTES_BASIS, sign_in
from tests.fieldwork import count, finding, on_site, post

URL = "/api/v1/sync"


def result(item_id: int, value: str = "compliant", **over) -> dict:
    return {"item_id": item_id, "value": value, "client_uuid": str(uuid.uuid4()),
            "device_time": on_site(hour=9).isoformat()} | over


def item(kind: str, inspection_id: int, body: dict, **extra) -> dict:
    return {"kind": kind, "inspection_id": inspection_id, "body": body} | extra


def test_a_batch_stores_each_item_once_and_a_replay_is_acknowledged(client, team):
    sign_in(client, team["lead"])
    inspection, items = team["inspection"], team["template"].items
    batch = [item("finding", inspection.id, finding(inspection.id)),
             item("result", inspection.id, result(items[0].id)),
             item("result", inspection.id, result(items[1].id, "non_compliant", severity="major",
                                                  description="Chưa niêm yết thủ tục hành chính."))]
    first = post(client, URL, {"items": batch})
    assert first.status_code == 200
    answers = first.get_json()["results"]
    assert [a["status"] for a in answers] == [201, 201, 201]
    assert [a["client_uuid"] for a in answers] == [b["body"]["client_uuid"] for b in batch]
    assert answers[1]["body"]["result"]["value"] == "compliant"
    again = post(client, URL, {"items": batch}).get_json()["results"]  # the answers were lost: sent again
    assert [a["status"] for a in again] == [202, 202, 202]
    assert all(a["body"]["already_stored"] for a in again)
    assert (count(Finding), count(CheckResult)) == (2, 2)  # the free finding and the non-compliant item's
    twice = [item("finding", inspection.id, finding(inspection.id))] * 2  # the same item twice in one batch
    assert [a["status"] for a in post(client, URL, {"items": twice}).get_json()["results"]] == [201, 202]
    assert count(Finding) == 3


def test_one_refused_item_leaves_the_others_stored_with_a_message_each(client, team, tree):
    sign_in(client, team["lead"])
    inspection, items = team["inspection"], team["template"].items
    stored = finding(inspection.id)
    assert post(client, f"/api/v1/inspections/{inspection.id}/findings", stored).status_code == 201
    batch = [item("finding", inspection.id, finding(inspection.id, description="")),
             item("finding", inspection.id, stored | {"description": "Một nội dung khác hẳn."}),
             item("result", inspection.id, result(items[0].id)),
             item("finding", 2_000_000_000, finding(inspection.id)),
             item("photo", inspection.id, finding(inspection.id)),
             "không phải một mục",
             item("finding", inspection.id, finding(inspection.id, client_uuid=["không phải chuỗi"])),
             item(["finding"], inspection.id, finding(inspection.id)),
             item("finding", inspection.id, finding(inspection.id))]
    answers = post(client, URL, {"items": batch}).get_json()["results"]
    assert [a["status"] for a in answers] == [422, 409, 201, 404, 422, 422, 422, 422, 201]
    assert answers[0]["body"] == {"error": "Thiếu trường description.", "field": "description"}
    assert answers[1]["body"]["current"]["description"] == stored["description"]
    assert "Loại mục không hợp lệ" in answers[4]["body"]["error"]
    assert count(Finding) == 2 and count(CheckResult) == 1
    actions = db.session.execute(select(AuditEvent.action).where(AuditEvent.action.in_(
        ["inspection.finding", "inspection.result"]))).scalars().all()
    assert sorted(actions) == ["inspection.finding", "inspection.finding", "inspection.result"]  # none refused
    assert verify_chain() == []  # the batch's events, appended together, extend the one chain
    kept = db.session.execute(select(Finding).where(Finding.client_uuid == stored["client_uuid"])).scalar_one()
    assert kept.description == stored["description"]


BASIS = {**MINUTES_BASIS, "decision_date": MINUTES_BASIS["decision_date"].isoformat()}


def test_the_start_and_the_close_go_in_a_batch_and_a_member_may_not_close(app, client, team):
    inspection = db.session.get(Inspection, team["inspection"].id)
    sign_in(client, team["member"])
    marks = [item("result", inspection.id, result(i.id)) for i in team["template"].items]
    close = item("close", inspection.id, {"representative_name": "Trần Văn Bình",
                                          "device_time": on_site(hour=11).isoformat(), **BASIS})
    answers = post(client, URL, {"items": [*marks, close]}).get_json()["results"]
    assert [a["status"] for a in answers] == [201, 201, 403]
    lead = app.test_client()
    sign_in(lead, team["lead"])
    answers = post(lead, URL, {"items": [close]}).get_json()["results"]
    assert answers[0]["status"] == 200 and answers[0]["body"]["inspection"]["status"] == "minutes_closed"


def test_a_stranger_gets_404_per_item_and_nothing_is_stored(client, team):
    sign_in(client, team["stranger"])
    inspection = team["inspection"]
    answers = post(client, URL, {"items": [item("finding", inspection.id, finding(inspection.id))]})
    assert [a["status"] for a in answers.get_json()["results"]] in ([403], [404])
    assert count(Finding) == 0


def test_more_than_50_items_or_no_list_is_refused_with_nothing_stored(client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    batch = [item("finding", inspection.id, finding(inspection.id)) for _ in range(51)]
    response = post(client, URL, {"items": batch})
    assert response.status_code == 422 and "tối đa 50 mục" in response.get_json()["error"]
    assert post(client, URL, batch[:2]).status_code == 422  # a bare list, not {"items": [...]}
    assert post(client, URL, {"items": batch[:50]}).status_code == 200
    assert count(Finding) == 50


def test_a_batch_over_the_size_limit_is_refused_in_vietnamese_with_nothing_stored(app, client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    huge = finding(inspection.id, description="x" * app.config["MAX_CONTENT_LENGTH"])
    response = post(client, URL, {"items": [item("finding", inspection.id, finding(inspection.id)),
                                            item("finding", inspection.id, huge)]})
    assert response.status_code == 413 and response.get_json()["code"] == "too_large"
    assert count(Finding) == 0


def test_the_batch_needs_the_csrf_token_of_the_session(client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    response = client.post(URL, json={"items": [item("finding", inspection.id, finding(inspection.id))]})
    assert response.status_code == 400 and response.get_json()["code"] == "csrf"
    assert count(Finding) == 0
