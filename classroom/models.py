"""Imports every feature's models so metadata (and Alembic) sees all tables."""

from classroom.accounts.models import Account, LoginAttempt, Role, School, UserSession
from classroom.audit.models import AuditEvent
from classroom.devices.models import Device, DeviceEnrolment
from classroom.pupils.models import ClassStaff, ParentLink, Pupil, SchoolClass

__all__ = [
    "Account",
    "AuditEvent",
    "ClassStaff",
    "Device",
    "DeviceEnrolment",
    "LoginAttempt",
    "ParentLink",
    "Pupil",
    "Role",
    "School",
    "SchoolClass",
    "UserSession",
]
