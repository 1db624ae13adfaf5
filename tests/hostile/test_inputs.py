"""Hostile input beyond the form battery: the JSON API (fields found from its OpenAPI description),
query strings of every list page, sign-in, Unicode normal forms in search and uniqueness, and what
hostile text becomes in .xlsx exports and in a PDF's HTML."""

import base64
import io
import uuid
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from inspection.language.formatting import local_today
from inspection.reports import minutes_snapshot, pdf
from models import ChecklistTemplate, Finding, FindingPhoto, Inspection, OrgUnit, db, utcnow
from models.enums import Role
from tests.factories import csrf_token, make_photo, make_plan, make_task, sign_in
from tests.hostile import cases
from tests.hostile.forms import forms_on
from tests.reports.support import pdf_text
from tests.scenario import new_finding_in
from tests.test_route_walk import _changed, fingerprint, id_args

MARKUP = [c for c in cases.TEXT if c.name in ("script tag", "attribute breakout")]


def _inert(body: str, where: str) -> None:
    assert not any(m in body for m in cases.RAW_MARKERS), f"{where} shows hostile markup unescaped"


def _home_still_serves(client) -> None:
    assert client.get("/").status_code == 200


# ---- the JSON API, field by field, from its own description

@pytest.fixture
def on_site(client, scenario):
    """The scenario inspector, signed in, leading an inspection under way (with one finding)."""
    finding = new_finding_in(scenario.home_of(Role.INSPECTOR))
    db.session.commit()
    sign_in(client, scenario.user_for(Role.INSPECTOR))
    template_id = db.session.get(Inspection, finding.inspection_id).template_id
    return {"finding": finding, "inspection_id": finding.inspection_id, "token": csrf_token(client, "/"),
            "item_id": db.session.get(ChecklistTemplate, template_id).items[0].id}


SIGNATURE_PNG = base64.b64encode(make_photo(size=(300, 120), fmt="PNG")).decode()


def _valid(on_site, name: str) -> dict:
    """A valid body for the JSON operation `name` (fresh client UUID each time)."""
    now = {"device_time": utcnow().isoformat(), "client_uuid": str(uuid.uuid4())}
    return {
        "RecordResult": now | {"item_id": on_site["item_id"], "value": "non_compliant", "severity": "minor",
                               "description": "Chưa niêm yết đủ thủ tục", "note": ""},
        "RecordFinding": now | {"description": "Máy lấy số hỏng", "severity": "minor", "latitude": 10.5,
                                "longitude": 105.6},
        "Start": now | {"location": "Bộ phận Một cửa"},
        "CloseMinutes": now | {"representative_name": "Võ Thị Thủ", "representative_title": "Chủ tịch"},
        "RegisterDevice": {"name": "Máy tính bảng đoàn kiểm tra số 1"},
        # refused as a whole (the minutes are not closed): every hostile field must still answer in words
        "SignMinutes": now | {"role": "lead", "image": SIGNATURE_PNG, "content_hash": "0" * 64, "device": "Tablet"},
    }[name] if name != "SyncBatch" else {"items": [_batch_item(on_site)]}


def _batch_item(on_site) -> dict:
    return {"kind": "finding", "inspection_id": on_site["inspection_id"], "body": _valid(on_site, "RecordFinding")}


def _json_operations(description: dict):
    for path, item in description["paths"].items():
        body = item.get("post", {}).get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            name = body["schema"]["$ref"].rsplit("/", 1)[1]
            yield path, name, description["components"]["schemas"][name]["properties"]


def _hostile_for(prop: dict) -> list:
    kinds = prop.get("type") if isinstance(prop.get("type"), list) else [prop.get("type")]
    values = [c.value for c in cases.TEXT] if "string" in kinds else []
    return values + [c.value for c in cases.JSON_NUMBERS] + [None, [], {"$gt": ""}]


def test_every_api_field_refuses_hostile_values_with_a_json_error(client, on_site):
    description = client.get("/api/v1/openapi.json").get_json()
    headers = {"X-CSRFToken": on_site["token"]}
    sent = 0
    for path, name, properties in _json_operations(description):
        url = path.replace("{inspection_id}", str(on_site["inspection_id"]))
        for field, prop in properties.items():
            for value in _hostile_for(prop):
                before = fingerprint()
                response = client.post(url, json=_valid(on_site, name) | {field: value}, headers=headers)
                sent += 1
                where = f"POST {path} {field}={str(value)[:40]!r}"
                assert response.status_code < 500, where
                if response.status_code >= 400:
                    assert response.get_json()["error"], where
                    assert not _changed(before, fingerprint()), f"{where}: refused but stored"
    sent += _attack_batch_items(client, on_site, headers, description)
    assert sent > 300
    inspection_id = on_site["inspection_id"]
    for page in (f"/inspections/{inspection_id}", f"/inspections/{inspection_id}/record"):
        _inert(client.get(page).get_data(as_text=True), page)
    _home_still_serves(client)


def _attack_batch_items(client, on_site, headers, description) -> int:
    """Each field of a batch's item (POST /api/v1/sync): a refused item is answered with a message in the
    batch's answer, and nothing of it is stored."""
    sent = 0
    for field, prop in description["components"]["schemas"]["SyncItem"]["properties"].items():
        for value in _hostile_for(prop):
            before = fingerprint()
            response = client.post("/api/v1/sync", json={"items": [_batch_item(on_site) | {field: value}]},
                                   headers=headers)
            sent += 1
            where = f"POST /api/v1/sync items[0].{field}={str(value)[:40]!r}"
            assert response.status_code == 200, where
            answer = response.get_json()["results"][0]
            if answer["status"] >= 400:
                assert answer["body"]["error"], where
                assert not _changed(before, fingerprint()), f"{where}: refused but stored"
    return sent


def test_api_json_that_is_not_an_object_or_not_json_is_a_clear_400_or_422(client, on_site):
    url = f"/api/v1/inspections/{on_site['inspection_id']}/findings"
    headers = {"X-CSRFToken": on_site["token"]}
    for raw in ("[]", "null", '"text"', "{", "NaN", "1e309", '{"description": "\\ud800"}', "\x00"):
        response = client.post(url, data=raw, content_type="application/json", headers=headers)
        assert response.status_code in (400, 422) and response.get_json()["error"], raw


def test_photo_uploads_that_lie_or_explode_are_refused_and_nothing_is_stored(client, on_site):
    url = f"/api/v1/findings/{on_site['finding'].id}/photos"
    for upload in cases.UPLOADS:
        before = db.session.execute(select(func.count(FindingPhoto.id))).scalar_one()
        response = client.post(url, headers={"X-CSRFToken": on_site["token"]}, data={
            "file": upload.file(), "client_uuid": str(uuid.uuid4()), "device_time": utcnow().isoformat()})
        assert response.status_code == 422, upload.name
        assert response.get_json().get("field") in ("file", None) and response.get_json()["error"], upload.name
        assert db.session.execute(select(func.count(FindingPhoto.id))).scalar_one() == before, upload.name
    _home_still_serves(client)


# ---- query strings of every page without ids, and sign-in

def _list_pages(app) -> list[str]:
    return sorted(r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments
                  and not r.rule.startswith(("/static", "/api/", "/logout", "/exports")) and not id_args(r.rule))


QUERY_ALWAYS = [cases.TEXT[1], cases.CHOICES[2]]  # control characters (NUL), an id beyond the integer range
QUERY_ROTATING = [c for c in cases.TEXT + cases.EXTRA_TEXT + cases.CHOICES + cases.DATES + cases.NUMBERS
                  if c not in QUERY_ALWAYS]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.UNIT_OFFICER])
def test_every_list_page_survives_hostile_query_strings(app, client, scenario, role):
    """Every page without ids, with every parameter its GET forms name (and the usual ones) set to
    the NUL and the huge-id values, and two more values in turn (all of them across the pages)."""
    sign_in(client, scenario.user_for(role))
    for turn, page in enumerate(_list_pages(app)):
        first = client.get(page)
        names = {"q", "page", "year", "status", "unit_id", "sort", "cursor", "p", "a"}
        if first.mimetype == "text/html":
            html = first.get_data(as_text=True)
            names |= {f.name for form in forms_on(html, page, method="get") for f in form.fields.values()}
        first.close()
        rotating = [QUERY_ROTATING[(2 * turn + n) % len(QUERY_ROTATING)] for n in range(2)]
        for case in QUERY_ALWAYS + rotating:
            response = client.get(page, query_string=dict.fromkeys(names, case.value))
            assert response.status_code < 500, f"GET {page} with {case.name} in {sorted(names)}"
            if response.mimetype == "text/html":
                _inert(response.get_data(as_text=True), f"GET {page}")
            response.close()
    _home_still_serves(client)


def test_sign_in_refuses_hostile_credentials_with_a_message(client, scenario):
    for case in cases.TEXT + cases.EXTRA_TEXT:
        response = client.post("/login", data={"username": case.value, "password": case.value,
                                               "csrf_token": csrf_token(client)})
        assert response.status_code in (200, 400, 429), case.name
        body = response.get_data(as_text=True)
        assert 'role="alert"' in body or 'class="error"' in body, case.name
        _inert(body, f"sign-in with {case.name}")
    assert client.get("/login").status_code == 200


# ---- one text in two Unicode forms

def test_a_unit_created_in_nfd_is_found_in_nfc_and_collides_with_its_nfc_twin(client, scenario):
    sign_in(client, scenario.user_for(Role.ADMIN))
    name, code = "Ủy ban nhân dân xã Phước Hưng Đông", "XÃ-PHƯỚC-HƯNG"
    form = forms_on(client.get("/admin/units/new").get_data(as_text=True), "/admin/units/new")[0]
    base = {f.name: f.value or (f.options[1] if f.options[1:] else "") for f in form.fields.values()} | {
        "parent_id": str(scenario.units["pc"].id), "kind": "commune", "valid_from": ""}
    created = client.post("/admin/units/new", data=base | {"name": cases.nfd(name), "code": cases.nfd(code)})
    assert created.status_code in (302, 303), created.get_data(as_text=True)[:2000]
    assert db.session.execute(select(OrgUnit.name).where(OrgUnit.code == code)).scalar_one() == name
    listing = client.get("/admin/units", query_string={"q": "Phước Hưng Đông"}).get_data(as_text=True)
    assert name in listing
    count = db.session.execute(select(func.count(OrgUnit.id))).scalar_one()
    twin = client.post("/admin/units/new", data=base | {"name": name, "code": code})
    assert twin.status_code in (200, 422) and "đã được dùng" in twin.get_data(as_text=True)
    assert db.session.execute(select(func.count(OrgUnit.id))).scalar_one() == count


# ---- exports and PDFs

def test_xlsx_exports_neutralise_formulas_and_keep_markup_as_plain_text(client, scenario):
    pc = scenario.units["pc"]
    plan = make_plan(unit=pc, title=f"{cases.FORMULA} kế hoạch")
    make_task(unit=scenario.units["an_phuoc"], plan=plan, title=cases.FORMULA, description=cases.SCRIPT)
    make_task(unit=scenario.units["an_phuoc"], plan=plan, title="+SUM(1;2)", description="@hostile")
    db.session.commit()
    sign_in(client, scenario.user_for(Role.LEADER))
    for url in (f"/plans/{plan.id}/export.xlsx", "/tasks/export.xlsx"):
        response = client.get(url)
        assert response.mimetype.endswith("spreadsheetml.sheet"), url
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        cells = [c for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        hostile = [c for c in cells if "cmd|" in c.value or "SUM(" in c.value]
        assert hostile, f"{url}: the hostile titles are missing"
        for cell in hostile:
            assert cell.data_type == "s" and cell.value.startswith("'"), f"{url}: {cell.value!r} would run"


def test_a_pdf_renders_hostile_text_as_text(client, scenario):
    finding = new_finding_in(scenario.home_of(Role.INSPECTOR))
    finding.description = f"{cases.SCRIPT} {cases.IMG} {{{{7*7}}}}"
    inspection = db.session.get(Inspection, finding.inspection_id)
    inspection.location = cases.IMG
    inspection.start_on = inspection.end_on = local_today() - timedelta(days=1)
    db.session.commit()
    html = pdf.render_html("minutes", minutes_snapshot.minutes(inspection))
    _inert(html, "the minutes' HTML")
    assert "&lt;script&gt;hostile(1)&lt;/script&gt;" in html and "{{7*7}}" in html
    text = pdf_text(pdf.render_pdf("minutes", minutes_snapshot.minutes(inspection)))
    assert "<script>hostile(1)</script>" in text  # shown to the reader as the text that was typed


def test_duplicate_finding_submissions_store_one_finding(client, on_site):
    url = f"/api/v1/inspections/{on_site['inspection_id']}/findings"
    body = _valid(on_site, "RecordFinding")
    answers = [client.post(url, json=body, headers={"X-CSRFToken": on_site["token"]}) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 202, 202]  # stored once, then acknowledged as already stored
    assert [a.get_json().get("already_stored") for a in answers] == [False, True, True]
    assert len({a.get_json()["finding"]["id"] for a in answers}) == 1
    assert db.session.execute(select(func.count(Finding.id)).where(
        Finding.client_uuid == body["client_uuid"])).scalar_one() == 1
