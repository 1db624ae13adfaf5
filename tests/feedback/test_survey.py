"""The citizen's public survey: what it asks, what it keeps, and what it refuses."""

import re

import pytest
from sqlalchemy import func, select

from inspection.feedback import tokens
from models import Feedback, db
from tests.factories import make_unit

from .helpers import SCORES, answer, hidden, make_desk, survey_form, text, token_of


@pytest.fixture
def desk(ctx):
    return make_desk(make_unit(name="Xã An Phước"))


def _count() -> int:
    return db.session.execute(select(func.count()).select_from(Feedback)).scalar_one()


def test_page_names_unit_and_desk_asks_five_elements_with_words_and_nothing_personal(client, desk):
    response = client.get(f"/danh-gia/{token_of(desk)}")
    page = text(response)
    assert response.status_code == 200
    assert "Xã An Phước" in page and desk.name in page
    for name in SCORES:
        assert len(re.findall(rf'type="radio" name="{name}" value="[1-5]"', page)) == 5
    for words in ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"):
        assert words in page
    assert "Chứng thực bản sao" in page and "Đăng ký khai sinh" in page
    assert not re.search(r"họ tên\"|name=\"(phone|email|full_name)", page)
    assert "<script" not in page and "Nghị định 13/2023" in page


def test_english_is_offered_and_served(client, desk):
    page = text(client.get(f"/danh-gia/{token_of(desk)}?lang=en"))
    assert "Very satisfied" in page and "Tiếng Việt" in page


def test_an_answer_is_stored_once_and_the_thank_you_page_says_what_happens_next(client, desk):
    response = answer(client, token_of(desk), procedure_choice="Chứng thực bản sao", comment="Nhanh, chu đáo")
    assert response.status_code == 303 and response.headers["Location"].endswith("/danh-gia/cam-on")
    stored = db.session.execute(select(Feedback)).scalar_one()
    assert stored.scores() == {k: int(v) for k, v in SCORES.items()}
    assert stored.procedure_name == "Chứng thực bản sao" and stored.comment == "Nhanh, chu đáo"
    assert not stored.is_complaint and stored.unit_id == desk.unit_id
    thanks = text(client.get("/danh-gia/cam-on"))
    assert "Điều gì xảy ra tiếp theo" in thanks and "kiểm tra đột xuất" in thanks


def test_second_answer_the_same_day_from_the_same_device_is_refused(client, desk):
    token = token_of(desk)
    first = {**survey_form(client, token), **SCORES}
    second = {**survey_form(client, token), **SCORES}
    assert client.post(f"/danh-gia/{token}", data=first).status_code == 303
    page = text(client.get(f"/danh-gia/{token}"))
    assert "đã gửi đánh giá cho bộ phận hôm nay" in page and 'name="access"' not in page
    assert client.post(f"/danh-gia/{token}", data=second).status_code == 409
    assert _count() == 1


def test_replayed_form_is_not_stored_twice(app, client, desk):
    token = token_of(desk)
    form = {**survey_form(client, token), **SCORES}
    assert client.post(f"/danh-gia/{token}", data=form).status_code == 303
    other = app.test_client()  # same form posted again without the device's cookie
    other.set_cookie("session", client.get_cookie("session").value)
    response = other.post(f"/danh-gia/{token}", data=form)
    assert response.status_code == 409 and "đã được gửi" in text(response)
    assert _count() == 1


def test_a_complaint_is_a_low_score_with_a_comment(client, desk, app):
    answer(client, token_of(desk), official="1", comment="Cán bộ không hướng dẫn")
    answer(app.test_client(), token_of(desk), official="1")
    answer(app.test_client(), token_of(desk), comment="Rất tốt")
    kinds = db.session.execute(select(Feedback.is_complaint).order_by(Feedback.id)).scalars().all()
    assert kinds == [True, False, False]


@pytest.mark.parametrize("scores", [{"access": "0"}, {"access": "6"}, {"handling": "-1"}, {"result": "3.5"},
                                    {"official": ""}, {"procedure": "năm"}])
def test_out_of_range_scores_are_refused_with_a_message(client, desk, scores):
    response = answer(client, token_of(desk), **scores)
    assert response.status_code == 422 and "Vui lòng chọn mức đánh giá" in text(response)
    assert _count() == 0


def test_honeypot_is_thanked_and_nothing_kept(client, desk):
    response = answer(client, token_of(desk), website="http://spam.example")
    assert response.status_code == 303 and _count() == 0


def test_minimum_filling_time(app, client, desk, monkeypatch):
    monkeypatch.setitem(app.config, "FEEDBACK_MIN_SECONDS", 30)
    response = answer(client, token_of(desk))
    assert response.status_code == 422 and "quá nhanh" in text(response)
    assert _count() == 0


def test_forged_token_is_404_and_revoked_token_says_so(client, desk):
    token = token_of(desk)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    other_desk = tokens.sign(desk.id + 1000, desk.token_id)[:-2] + "xx"
    for bad in (forged, other_desk, "khong-phai-ma", "a" * 300):
        assert client.get(f"/danh-gia/{bad}").status_code == 404
        assert answer(client, bad, form_of=token).status_code == 404
    opened = {**survey_form(client, token), **SCORES}  # a form opened before the poster was revoked
    desk.token_id = tokens.new_token_id()
    db.session.commit()
    response = client.get(f"/danh-gia/{token}")
    assert response.status_code == 410 and "Mã QR này không còn hiệu lực" in text(response)
    assert client.post(f"/danh-gia/{token}", data=opened).status_code == 410
    assert _count() == 0


def test_a_closed_desk_or_one_that_is_gone_stores_nothing(client, desk):
    """The answer is stored by one statement that checks the poster as it inserts: a desk closed
    after the page was drawn, or a genuine token of a desk that no longer exists, keeps nothing."""
    token = token_of(desk)
    gone = tokens.sign(desk.id + 1000, desk.token_id)  # well signed, no such desk
    assert answer(client, gone, form_of=token).status_code == 404
    opened = {**survey_form(client, token), **SCORES}
    desk.is_active = False
    db.session.commit()
    response = client.post(f"/danh-gia/{token}", data=opened)
    assert response.status_code == 410 and "Mã QR này không còn hiệu lực" in text(response)
    assert _count() == 0 and "fb" not in response.headers.get("Set-Cookie", "")


def test_markup_nul_and_oversized_comments(client, desk, app):
    comment = "<script>alert(1)</script><img src=x onerror=alert(2)> chậm\x00 trễ"
    assert answer(client, token_of(desk), comment=comment, official="1").status_code == 303
    stored = db.session.execute(select(Feedback)).scalar_one()
    assert stored.comment == "<script>alert(1)</script><img src=x onerror=alert(2)> chậm trễ"
    response = answer(app.test_client(), token_of(desk), comment="x" * 1001)
    assert response.status_code == 422 and "1000" in text(response)
    assert _count() == 1


def test_ten_megabyte_body_is_413(client, desk):
    form = survey_form(client, token_of(desk))
    response = client.post(f"/danh-gia/{token_of(desk)}", data={**form, **SCORES, "comment": "a" * (10 * 1024 * 1024)})
    assert response.status_code == 413 and _count() == 0


def test_flood_from_one_address_gets_429_in_vietnamese(app, client, desk, monkeypatch):
    monkeypatch.setitem(app.config, "FEEDBACK_MAX_PER_ADDRESS", 5)
    statuses = [client.get(f"/danh-gia/{token_of(desk)}").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    response = client.post(f"/danh-gia/{token_of(desk)}", data=SCORES)
    assert response.status_code == 429 and "Quá nhiều yêu cầu" in text(response)
    assert response.headers["Retry-After"]
    other = app.test_client()
    assert other.get(f"/danh-gia/{token_of(desk)}", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_addresses_are_not_stored(client, desk, redis_client):
    """Neither the answer nor any limit keeps the address: the survey's own limit counts a keyed
    hash of it, and the limit of every POST (ratelimit.py, keyed by the address) leaves it alone."""
    path, address = f"/danh-gia/{token_of(desk)}", {"REMOTE_ADDR": "203.0.113.77"}
    page = client.get(path, environ_base=address).get_data(as_text=True)
    form = {"csrf_token": hidden(page, "csrf_token"), "started": hidden(page, "started")}
    response = client.post(path, data={**form, **SCORES, "comment": "Tốt"}, environ_base=address)
    assert response.status_code == 303
    row = db.session.execute(select(Feedback)).scalar_one()
    assert "203.0.113.77" not in repr({c: getattr(row, c) for c in row.__table__.columns.keys()})
    for key in redis_client.keys("*"):
        assert b"203.0.113.77" not in key and b"203.0.113.77" not in (redis_client.dump(key) or b"")


def test_page_and_assets_weigh_at_most_60_kb(client, desk):
    page = client.get(f"/danh-gia/{token_of(desk)}").get_data()
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', page)
    weight = len(page) + sum(len(client.get(a.decode()).get_data()) for a in assets)
    assert assets and weight <= 60 * 1024, weight


def _without_tokens(page: str) -> str:
    return re.sub(r'name="(csrf_token|started)"([^>]*)value="[^"]*"', r'name="\1"\2value=""', page)


def test_each_blank_page_has_its_own_tokens_and_follows_the_desk(app, client, desk):
    """Each request gets its own start time and its session's CSRF token, and a renamed desk or new
    procedures show at once."""
    path = f"/danh-gia/{token_of(desk)}"
    pages = [text(client.get(path)) for _ in range(2)]
    neighbour = text(app.test_client().get(path))
    assert hidden(pages[0], "started") != hidden(pages[1], "started")
    assert hidden(pages[0], "csrf_token") and hidden(neighbour, "csrf_token") != hidden(pages[0], "csrf_token")
    assert _without_tokens(pages[0]) == _without_tokens(neighbour)
    form = {"csrf_token": hidden(pages[0], "csrf_token"), "started": hidden(pages[0], "started")}
    assert client.post(path, data={**form, **SCORES}).status_code == 303 and _count() == 1
    assert "đã gửi đánh giá" in text(client.get(path))  # this device, today: the notice, not the form
    desk.name, desk.procedures = "Bộ phận một cửa phường Mỹ Phú", "Cấp phiếu lý lịch tư pháp"
    db.session.commit()
    page = text(app.test_client().get(path))
    assert "Bộ phận một cửa phường Mỹ Phú" in page and "Cấp phiếu lý lịch tư pháp" in page
    assert "Chứng thực bản sao" not in page
    assert "Very satisfied" in text(app.test_client().get(f"{path}?lang=en"))


@pytest.mark.committed
def test_an_answer_commits_on_its_own_without_leaving_the_connection_asynchronous(committed):
    """On the real engine an answer is one statement in a transaction of its own, committed
    without waiting for the disk (answers._STORE): it is there for every other connection at
    once, and the setting ends with it, so each pooled connection's next write waits for the disk."""
    desk = make_desk(make_unit(name="Xã Phú Thọ"))
    client = committed.test_client()
    assert answer(client, token_of(desk), official="1", comment="Chờ lâu").status_code == 303
    assert answer(committed.test_client(), token_of(desk)).status_code == 303
    pool = db.engine.pool
    connections = [db.engine.connect() for _ in range(pool.checkedin() + 1)]  # every pooled one, and a new one
    try:
        settings = {c.exec_driver_sql("SHOW synchronous_commit").scalar_one() for c in connections}
        stored = connections[-1].execute(select(Feedback.is_complaint).order_by(Feedback.id)).scalars().all()
    finally:
        for connection in connections:
            connection.close()
    assert settings == {"on"} and stored == [True, False]
