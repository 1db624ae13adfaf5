"""`python -m bench signing`: the signing part of `python -m bench reports` alone (a few minutes
less than the whole part, and lighter on shared cores). The same scratch database, token, worker
and code as bench/reports.py: the 30-photo remediation report rendered in this process (median
of BENCH_REPORT_RUNS, the ratio's denominator), its agency signature through PKCS#11 (median of
10), and the demo conclusion issued and signed by the worker, written to
bench/results/sample-conclusion.pdf and sample-conclusion-signed.pdf. The two figures replace
their rows in bench/results/reports.json, which records on which machine and load they were measured."""

import json

from sqlalchemy import select

from bench import reports
from bench.reports import RESULTS

FIGURES = ("report.sign.seconds", "report.sign.ratio")


def _conclusion_samples(leader, inspection) -> None:
    """The demo conclusion issued now: its final file and the agency-signed one."""
    from inspection.files.storage import open_attachment
    from inspection.inspections import conclusions
    from models import Attachment, db

    document = conclusions.issue_conclusion_document(leader, inspection)
    reports._wait_ready([reports._issued_report(document)])
    db.session.expire_all()
    document = db.session.get(type(document), document.id)
    assert document.signed_pdf_id is not None, document.sign_note
    for name, attachment_id in {"conclusion": document.pdf_id, "conclusion-signed": document.signed_pdf_id}.items():
        with open_attachment(db.session.get(Attachment, attachment_id)) as source:
            (RESULTS / f"sample-{name}.pdf").write_bytes(source.read())


def _run(env: dict) -> dict:
    from bench.report_data import inspection_with_remediation
    from inspection.reports.pdf import warm_up
    from inspection.signing.services import set_up_demo_signing
    from models import Inspection, db

    started_on = reports.machine()
    with reports.demo_district() as (_app, units, users):
        set_up_demo_signing(env["CCHC_INSTANCE_DIR"])
        demo = db.session.execute(select(Inspection).where(Inspection.status == "conclusion_drafted")
                                  .order_by(Inspection.id)).scalars().first()
        print("building data (30 photos at 12 MP through the upload pipeline)…", flush=True)
        r30 = inspection_with_remediation(units, users, 30)
        warm_up()
        unsigned = reports._in_process("remediation_report", r30)["job_wall"]
        figures = reports._signing(r30, unsigned)
        worker = reports._start_worker(env)
        try:
            _conclusion_samples(users["leader"], demo)
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    return {"machine": started_on, "figures": figures, "unsigned": unsigned}


def _write(result: dict) -> None:
    path = RESULTS / "reports.json"
    payload = json.loads(path.read_text())
    for name in FIGURES:
        value, unit = result["figures"][name]
        payload["figures"][name] = {"value": round(value, 4), "unit": unit}
    payload["measured_apart"] = {name: f"python -m bench signing: {result['machine']}" for name in FIGURES}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    print(f"\nMachine: {result['machine']}\nunsigned render (this process): {result['unsigned']:.3f} s")
    for name in FIGURES:
        print(f"| {name} | {payload['figures'][name]['value']} | {payload['figures'][name]['unit']} |")


def main() -> None:
    reports.main(_run, _write)


if __name__ == "__main__":
    main()
