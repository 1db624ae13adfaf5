"""Every model module, imported so the metadata is complete for Alembic; public classes re-exported."""

from .areas import ParArea
from .attachments import Attachment
from .audit import AuditEvent
from .base import db, utcnow
from .catalog import CATALOG_ROW, CatalogVersion
from .checklists import ChecklistItem, ChecklistTemplate
from .dashboard import DashboardChange, DashboardFact, DashboardRefresh
from .devices import Device
from .feedback import Desk, Feedback, FeedbackAlert
from .inspections import (
    CheckResult,
    CheckResultWrite,
    Conclusion,
    ConclusionItem,
    Correction,
    Finding,
    FindingPhoto,
    Inspection,
    InspectionChange,
    InspectionMember,
    InspectionPlan,
)
from .jobs import BackupRun, ScheduledRun
from .minutes import MinutesSignature
from .notifications import Notification
from .org import OrgUnit, ancestor_ids, subtree_ids, subtree_sets, subtrees_by_root
from .par import (
    ParAppraiser,
    ParAssessment,
    ParCriterion,
    ParEvidence,
    ParIndex,
    ParIndexArea,
    ParRound,
    ParScore,
    ParScoreChange,
    ParSubCriterion,
)
from .plans import ExtensionRequest, Plan, ReminderSent, Task, TaskUpdate
from .remediation import RemediationAction, RemediationStep, RemediationSubmission
from .reports import Document, DocumentCounter, Report
from .security import SecurityEvent
from .signatures import DocumentSignature, PersonalCertificate, TrustAnchor, UnitSigningKey
from .users import Membership, RecoveryCode, TwoFactorRole, User, UserSession

__all__ = [
    "ParAppraiser", "ParAssessment", "ParCriterion", "ParEvidence", "ParIndex", "ParIndexArea", "ParRound",
    "ParScore", "ParScoreChange", "ParSubCriterion",
    "BackupRun",
    "MinutesSignature",
    "CATALOG_ROW",
    "CatalogVersion",
    "CheckResult",
    "CheckResultWrite",
    "ChecklistItem",
    "ChecklistTemplate",
    "Conclusion",
    "DashboardChange",
    "DashboardFact",
    "DashboardRefresh",
    "Desk",
    "Device",
    "Feedback",
    "FeedbackAlert",
    "ConclusionItem",
    "Correction",
    "Finding",
    "FindingPhoto",
    "Inspection",
    "InspectionChange",
    "InspectionMember",
    "InspectionPlan",
    "RemediationAction",
    "RemediationStep",
    "RemediationSubmission",
    "Attachment",
    "Document",
    "DocumentCounter",
    "DocumentSignature",
    "TrustAnchor",
    "UnitSigningKey",
    "PersonalCertificate",
    "Report",
    "ExtensionRequest",
    "ParArea",
    "Plan",
    "ReminderSent",
    "SecurityEvent",
    "Task",
    "TaskUpdate",
    "AuditEvent",
    "Membership",
    "Notification",
    "OrgUnit",
    "RecoveryCode",
    "TwoFactorRole",
    "ScheduledRun",
    "User",
    "UserSession",
    "db",
    "ancestor_ids",
    "subtree_ids",
    "subtree_sets",
    "subtrees_by_root",
    "utcnow",
]
