"""Imports every feature's models so metadata (and Alembic) sees all tables."""

from classroom.accounts.models import Account, LoginAttempt, Role, School, UserSession
from classroom.admin.models import AccountChangeRequest
from classroom.assessment.models import Observation, ObservationShare
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
from classroom.symbols.models import SymbolOverride
from classroom.worries.models import (
    Incident,
    IncidentAction,
    IncidentEntry,
    IncidentPupil,
    ParentContactDecision,
    Referral,
    StaffAlert,
)

__all__ = [
    "Account",
    "AccountChangeRequest",
    "AuthoredLesson",
    "AuditEvent",
    "CarerInvite",
    "CarerSettings",
    "ClassStaff",
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
    "PupilTarget",
    "StepResponse",
    "OutboxMessage",
    "ParentContactDecision",
    "PhotoConsent",
    "Referral",
    "StaffAlert",
    "SymbolOverride",
    "LoginAttempt",
    "ParentLink",
    "Pupil",
    "Role",
    "School",
    "SchoolClass",
    "SchoolRule",
    "UserSession",
]
