"""The risks the school's e-safety policy names: one list for lessons and for worries.

Lessons say which of these they teach about; the safeguarding team files each worry under
one of them. Keeping a single list means a lesson's risk and a worry's category always use
the same word, so staff can see which lessons speak to the worries a class raises.
"""

from __future__ import annotations

from enum import StrEnum


class PolicyRisk(StrEnum):
    """A risk from the e-safety policy (the values are stored: never rename one)."""

    CYBERBULLYING = "cyberbullying"
    INAPPROPRIATE_MATERIAL = "inappropriate_material"
    CONTACT_FROM_STRANGER = "contact_from_stranger"
    IMAGES_OR_SECRETS = "images_or_secrets"
    PHYSICAL_DANGER_ABUSE = "physical_danger_abuse"
    ANTISOCIAL_ILLEGAL = "antisocial_illegal"
    SOCIAL_NETWORKING = "social_networking"
    OBSESSIVE_USE = "obsessive_use"
    PHISHING_SCAMS = "phishing_scams"
    COPYRIGHT = "copyright"
    WELLBEING = "wellbeing"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The plain words staff see."""
        return RISK_LABELS[self]


RISK_LABELS = {
    PolicyRisk.CYBERBULLYING: "Cyberbullying",
    PolicyRisk.INAPPROPRIATE_MATERIAL: "Exposure to inappropriate material",
    PolicyRisk.CONTACT_FROM_STRANGER: "Contact from someone unknown",
    PolicyRisk.IMAGES_OR_SECRETS: "Asked for images or secrets",
    PolicyRisk.PHYSICAL_DANGER_ABUSE: "Physical danger or abuse",
    PolicyRisk.ANTISOCIAL_ILLEGAL: "Inappropriate, antisocial or illegal behaviour",
    PolicyRisk.SOCIAL_NETWORKING: "Inappropriate use of social networking",
    PolicyRisk.OBSESSIVE_USE: "Obsessive use of the internet or devices",
    PolicyRisk.PHISHING_SCAMS: "Phishing, scams or harmful attachments",
    PolicyRisk.COPYRIGHT: "Copyright",
    PolicyRisk.WELLBEING: "Feeling sad or worried",
    PolicyRisk.OTHER: "Other",
}

# "Other" is for a worry that fits nowhere; a lesson always teaches about a named risk.
NOT_FOR_LESSONS = frozenset({PolicyRisk.OTHER})
