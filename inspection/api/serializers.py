"""Plain dicts for the tablet: what it needs to work an inspection offline."""

from models import CheckResult, Finding, Inspection

from ..inspections.minutes import PARTS, hhmm
from ..language.formatting import TZ


def _iso(value):
    return value.isoformat() if value else None


def inspection_summary(inspection: Inspection) -> dict:
    return {
        "id": inspection.id, "number": inspection.number, "title": inspection.title, "kind": inspection.kind,
        "status": inspection.status, "version": inspection.version,
        "unit": {"id": inspection.unit.id, "name": inspection.unit.name, "address": inspection.unit.address},
        "start_on": _iso(inspection.start_on), "end_on": _iso(inspection.end_on),
        "team": [{"user_id": m.user_id, "name": m.user.full_name, "role": m.role} for m in inspection.members],
    }


def result_dict(result: CheckResult) -> dict:
    return {"id": result.id, "item_id": result.item_id, "value": result.value, "note": result.note,
            "version": result.version, "client_uuid": result.client_uuid,
            "device_time": _iso(result.device_time.astimezone(TZ)), "received_at": _iso(result.received_at)}


def finding_dict(finding: Finding) -> dict:
    return {"id": finding.id, "item_id": finding.item_id, "severity": finding.severity,
            "description": finding.description, "client_uuid": finding.client_uuid, "version": finding.version,
            "device_time": _iso(finding.device_time.astimezone(TZ)), "received_at": _iso(finding.received_at),
            "photos": [{"id": p.id, "client_uuid": p.client_uuid, "kind": p.kind} for p in finding.photos]}


def signature_dict(signature) -> dict:
    return {"id": signature.id, "role": signature.role, "signer_name": signature.signer_name,
            "signer_title": signature.signer_title, "content_hash": signature.content_hash,
            "client_uuid": signature.client_uuid, "signed_at": _iso(signature.signed_at.astimezone(TZ))}


def minutes_dict(inspection: Inspection, content_hash: str | None, signatures) -> dict:
    """The minutes as closed (what the tablet hashes and shows for signing) and their signatures."""
    return {"representative_name": inspection.representative_name,
            "representative_title": inspection.representative_title,
            "began": hhmm(inspection.minutes_began_at), "ended": hhmm(inspection.minutes_ended_at),
            "started": hhmm(inspection.started_at),
            **{name: getattr(inspection, name) for name in PARTS}, "content_hash": content_hash,
            "decision_number": inspection.decision_number, "decision_issuer": inspection.decision_issuer,
            "decision_summary": inspection.decision_summary, "decision_date": _iso(inspection.decision_date),
            "signatures": [signature_dict(s) for s in signatures]}


def inspection_detail(inspection: Inspection, items, results, findings, minutes: dict) -> dict:
    return inspection_summary(inspection) | {
        "template": {"id": inspection.template_id, "items": [
            {"id": i.id, "code": i.code, "criterion": i.criterion, "guidance": i.guidance,
             "area": i.area.name if i.area else None, "points": float(i.points) if i.points is not None else None}
            for i in items]},
        "results": [result_dict(r) for r in results],
        "findings": [finding_dict(f) for f in findings],
        "minutes": minutes,
    }
