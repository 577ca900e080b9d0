"""Imports every feature's models so metadata (and Alembic) sees all tables."""

from classroom.accounts.models import (
    Account,
    LoginAttempt,
    RecoveryCode,
    RememberedDevice,
    Role,
    School,
    TwoFactor,
    UserSession,
)
from classroom.admin.models import AccountChangeRequest
from classroom.assessment.models import Observation, ObservationShare, ObservationWithdrawal
from classroom.audit.models import AuditEvent
from classroom.devices.models import Device, DeviceEnrolment
from classroom.lessons.authored_models import AuthoredLesson
from classroom.lessons.models import LessonAttempt, MapEntry, PupilTarget, StepResponse
from classroom.outbox.models import OutboxMessage
from classroom.parents.models import (
    CarerInvite,
    CarerSettings,
    FeedItem,
    FeedReceipt,
    PhotoConsent,
)
from classroom.pupils.models import ClassStaff, ParentLink, Pupil, SchoolClass
from classroom.rules.models import SchoolRule
from classroom.speech.models import SpeechUsage
from classroom.symbols.models import (
    SchoolPicture,
    StaffPhoto,
    SymbolFlag,
    SymbolOverride,
    TrustedPerson,
    VoiceRecording,
)
from classroom.worries.evidence_models import Attachment, BodyMark
from classroom.worries.models import (
    Incident,
    IncidentAction,
    IncidentEntry,
    IncidentPupil,
    ParentContactDecision,
    Referral,
    StaffAlert,
)
from classroom.worries.transfer_models import (
    CpTransfer,
    CpTransferCorrection,
    ReceivedAttachment,
    ReceivedFile,
)

__all__ = [
    "Account",
    "AccountChangeRequest",
    "Attachment",
    "BodyMark",
    "AuthoredLesson",
    "AuditEvent",
    "CarerInvite",
    "CarerSettings",
    "ClassStaff",
    "CpTransfer",
    "CpTransferCorrection",
    "Device",
    "DeviceEnrolment",
    "FeedItem",
    "FeedReceipt",
    "Incident",
    "IncidentAction",
    "IncidentEntry",
    "IncidentPupil",
    "LessonAttempt",
    "MapEntry",
    "Observation",
    "ObservationShare",
    "ObservationWithdrawal",
    "PupilTarget",
    "ReceivedAttachment",
    "ReceivedFile",
    "StepResponse",
    "OutboxMessage",
    "ParentContactDecision",
    "PhotoConsent",
    "RecoveryCode",
    "Referral",
    "RememberedDevice",
    "StaffAlert",
    "SchoolPicture",
    "StaffPhoto",
    "SymbolFlag",
    "SymbolOverride",
    "TrustedPerson",
    "TwoFactor",
    "VoiceRecording",
    "LoginAttempt",
    "ParentLink",
    "Pupil",
    "Role",
    "School",
    "SchoolClass",
    "SchoolRule",
    "SpeechUsage",
    "UserSession",
]
