"""The snapshot builder of each kind of document and subject: build_snapshot() is how a request,
an issue or a synchronous render gets a document's plain data."""

from ..errors import ValidationError
from ..feedback import poster
from ..par import decision
from . import conclusion_snapshots, minutes_snapshot, progress_snapshots, remediation_snapshots
from .snapshots import clean


def build_snapshot(kind: str, subject_type: str, subject, params: dict | None = None) -> dict:
    """The snapshot of `kind` for `subject` (an Inspection, Plan or OrgUnit), not yet issued."""
    builders = {
        ("minutes", "inspection"): minutes_snapshot.minutes,
        ("conclusion", "inspection"): conclusion_snapshots.conclusion,
        ("remediation_report", "inspection"): remediation_snapshots.for_inspection,
        ("remediation_report", "unit"): remediation_snapshots.for_unit,
        ("progress_report", "plan"): progress_snapshots.progress,
        ("desk_poster", "unit"): poster.snapshot,
        ("par_decision", "unit"): decision.snapshot,
    }
    builder = builders.get((kind, subject_type))
    if builder is None:
        raise ValidationError("Loại văn bản không phù hợp với đối tượng.")
    snapshot = builder(subject, **(params or {})) if params else builder(subject)
    return clean({"kind": kind, **snapshot})
