"""The evidence pack: the worker builds a .zip with a folder per sub-criterion holding its
evidence files and a PDF summary (tong_hop.pdf, read back with pdftotext: each sub-criterion's
maximum, self score, appraised score, reasons and evidence count, the totals, the index and band);
the unit and the round's appraisers download it, another commune gets 404."""

import io
import zipfile

from rq import SimpleWorker

from inspection.data.queue import get_queue, get_redis
from inspection.par import appraisal, rounds
from models.enums import Role
from tests.factories import PDF_BYTES, csrf_token, sign_in
from tests.par_records import submit_for_appraisal
from tests.reports.support import pdf_text


def _client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def _row(text: str, code: str) -> str:
    """The first line of a sub-criterion's row in the table, its columns one space apart."""
    return " ".join(next(line for line in text.splitlines() if line.strip().startswith(code + " ")).split())


def test_the_worker_builds_the_evidence_pack_the_unit_and_appraisers_download_it(app, par, scenario):
    submit_for_appraisal(par)
    rounds.add_appraiser(par.coordinator, par.round, par.inspector)
    appraisal.appraise_score(par.inspector, par.scores["1.2.1"], accept=False, points="2", reason="Tỷ lệ 96%",
                             version=par.scores["1.2.1"].version)
    head = _client(app, par.head)
    page = f"/chi-so-cchc/tu-danh-gia/{par.an_phuoc.id}/ho-so-kiem-chung"
    early = head.get(f"{page}.zip")  # not built yet: its page, saying so
    assert early.status_code == 303 and early.headers["Location"].endswith(page)
    assert "Chưa có hồ sơ kiểm chứng" in head.get(page).get_data(as_text=True)
    assert head.post(page, data={"csrf_token": csrf_token(head, page)}).status_code == 303
    SimpleWorker([get_queue("default")], connection=get_redis()).work(burst=True)
    assert "Tải hồ sơ (.zip)" in head.get(page).get_data(as_text=True)
    for user in (par.head, par.inspector):
        answer = _client(app, user).get(f"{page}.zip")
        assert answer.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(answer.get_data()))
        names = archive.namelist()
        for code in ("1.1.1", "1.2.1", "2.1.1"):
            files = [n for n in names if n.startswith(f"{code}/") and n.endswith(f"kiem-chung-{code}.pdf")]
            assert len(files) == 1 and archive.read(files[0]) == PDF_BYTES
        summary = pdf_text(archive.read("tong_hop.pdf"), layout=True)
        assert "(Kèm theo hồ sơ kiểm chứng của Ủy ban nhân dân xã An Phước)" in summary
        assert _row(summary, "1.2.1") == "1.2.1 Tiêu chí thành phần 1.2.1 4 4 2 Thẩm định: Tỷ lệ 96% 1"
        assert _row(summary, "Tổng cộng") == "Tổng cộng 9 8 6 (*) 3"  # 1.1.1 and 2.1.1 not appraised: (*)
        assert "(tạm tính, chưa công bố): 66,67%, xếp loại Trung bình." in " ".join(summary.split())
    stranger = _client(app, scenario.user_for(Role.VIEWER))
    assert stranger.get(page).status_code == 404 and stranger.get(f"{page}.zip").status_code == 404
