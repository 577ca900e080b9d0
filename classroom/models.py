"""Imports every feature's models so metadata (and Alembic) sees all tables."""

from classroom.accounts.models import Account, LoginAttempt, Role, School, UserSession
from classroom.audit.models import AuditEvent
from classroom.devices.models import Device, DeviceEnrolment
from classroom.lessons.models import LessonAttempt, MapEntry, PupilTarget, StepResponse
from classroom.outbox.models import OutboxMessage
from classroom.pupils.models import ClassStaff, ParentLink, Pupil, SchoolClass
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
    "AuditEvent",
    "ClassStaff",
    "Device",
    "DeviceEnrolment",
    "Incident",
    "IncidentAction",
    "IncidentEntry",
    "IncidentPupil",
    "LessonAttempt",
    "MapEntry",
    "PupilTarget",
    "StepResponse",
    "OutboxMessage",
    "ParentContactDecision",
    "Referral",
    "StaffAlert",
    "SymbolOverride",
    "LoginAttempt",
    "ParentLink",
    "Pupil",
    "Role",
    "School",
    "SchoolClass",
    "UserSession",
]
