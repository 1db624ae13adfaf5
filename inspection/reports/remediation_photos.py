"""The photos of a remediation report, separated by round: the finding's photos before the fix,
then each round's photos after it, each captioned with what it shows, when and where."""

from datetime import datetime

from sqlalchemy import select

from models import Finding, FindingPhoto, RemediationAction, RemediationSubmission, db

from ..language.formatting import TZ
from .snapshots import photo_index

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
CAPTION_WORDS = 30  # a caption quotes the first words of its text


def _when(moment: datetime | None) -> str:
    """ "09 giờ 30 ngày 27/07/2026" in Vietnam time."""
    if moment is None:
        return ""
    local = moment.astimezone(TZ)
    return f"{local:%H} giờ {local:%M} ngày {local:%d/%m/%Y}"


def _short(text: str) -> str:
    words = " ".join((text or "").split()).rstrip(".;").split(" ")
    return " ".join(words[:CAPTION_WORDS]) + ("…" if len(words) > CAPTION_WORDS else "")


def _caption(what: str, when: datetime | None, place: str) -> str:
    parts = [_short(what)] + ([f"chụp lúc {_when(when)}"] if when else []) + ([f"tại {place}"] if place else [])
    return "; ".join(p for p in parts if p)


def rounds_of(actions: list[RemediationAction]) -> dict[int, list[RemediationSubmission]]:
    stmt = (select(RemediationSubmission).where(RemediationSubmission.action_id.in_([a.id for a in actions]))
            .order_by(RemediationSubmission.action_id, RemediationSubmission.round))
    found: dict[int, list[RemediationSubmission]] = {}
    for submission in db.session.execute(stmt).scalars():
        found.setdefault(submission.action_id, []).append(submission)
    return found


def _finding_photos(finding_ids: list[int]) -> dict[int, list[FindingPhoto]]:
    stmt = select(FindingPhoto).where(FindingPhoto.finding_id.in_(finding_ids)).order_by(FindingPhoto.id)
    found: dict[int, list[FindingPhoto]] = {}
    for photo in db.session.execute(stmt).scalars():
        found.setdefault(photo.finding_id, []).append(photo)
    return found


def _place(finding: Finding | None, site: str) -> str:
    if finding is not None and finding.latitude is not None and finding.longitude is not None:
        return f"{site} ({finding.latitude:.5f}, {finding.longitude:.5f})" if site else \
            f"{finding.latitude:.5f}, {finding.longitude:.5f}"
    return site


def _groups(action, finding, photos, rounds, sites) -> list[dict]:
    """[(label, [(attachment id, caption)])]: before, then round 1, 2, … (only those with photos)."""
    before_site, after_site = sites
    groups = [{"label": "Trước khắc phục", "photos": [
        (p.display_id, _caption(finding.description, p.device_time, _place(finding, before_site)))
        for p in photos if p.kind != "after"]}] if finding is not None else []
    tied: set[int] = set()
    for submission in rounds:
        mine = {a.id for a in submission.attachments}
        tied |= mine
        shown = [p.display_id for p in photos if p.kind == "after" and p.original_id in mine]
        shown += [a.id for a in submission.attachments
                  if a.mime_type in IMAGE_TYPES and a.kind not in ("photo_original", "photo_display")]
        what = submission.note or action.description
        groups.append({"label": f"Sau khắc phục, lần {submission.round}",
                       "photos": [(i, _caption(what, submission.submitted_at, after_site)) for i in shown]})
    # after photos no round brought (added beside the rounds): shown after them, with their own time
    what = rounds[-1].note if rounds and rounds[-1].note else action.description
    loose = [(p.display_id, _caption(what, p.device_time, after_site)) for p in photos
             if p.kind == "after" and p.original_id not in tied]
    groups.append({"label": "Sau khắc phục", "photos": loose})
    return [g for g in groups if g["photos"]]


def photo_rounds(actions: list[RemediationAction], rounds: dict[int, list], sites: dict[int, tuple]) -> dict:
    """Per action id, its photo groups with {"photo_id", "sha256", "caption"} — in a fixed number of
    queries. `sites`: per action id, the place of the before photos and of the after photos."""
    finding_ids = [a.finding_id for a in actions if a.finding_id]
    findings = {f.id: f for f in db.session.execute(select(Finding).where(Finding.id.in_(finding_ids))).scalars()}
    photos = _finding_photos(finding_ids)
    raw = {a.id: _groups(a, findings.get(a.finding_id), photos.get(a.finding_id, []), rounds.get(a.id, []),
                         sites[a.id]) for a in actions}
    refs = photo_index([i for groups in raw.values() for g in groups for i, _ in g["photos"]])
    return {action_id: [{"label": g["label"],
                         "photos": [{**refs[i], "caption": c} for i, c in g["photos"] if i in refs]}
                        for g in groups] for action_id, groups in raw.items()}
