"""The pupil's "Report a worry" choices: each a few words and a symbol, read aloud on the iPad."""

from __future__ import annotations

from dataclasses import dataclass

from classroom.worries.models import Category


@dataclass(frozen=True)
class Choice:
    code: str
    words: str
    symbol: str


WHAT = (
    Choice("unkind", "Someone was unkind", "1F61E"),
    Choice("upsetting", "I saw something upsetting", "1F628"),
    Choice("photo_or_secret", "Someone asked for a photo or a secret", "1F4F8"),
    Choice("stranger", "Someone I don't know talked to me", "1F464"),
    Choice("sad", "I feel sad or worried", "1F622"),
    Choice("other", "Something else", "2753"),
)
WHERE = (
    Choice("game", "In a game", "1F3AE"),
    Choice("device", "On a phone or tablet", "1F4F1"),
    Choice("video", "In a video", "1F4FA"),
    Choice("message", "In a message", "1F4AC"),
    Choice("school", "At school", "1F3EB"),
    Choice("home", "At home", "1F3E0"),
)
FEELING = (
    Choice("sad", "Sad", "1F622"),
    Choice("scared", "Scared", "1F628"),
    Choice("angry", "Angry", "1F620"),
    Choice("worried", "Worried", "1F61F"),
    Choice("ok", "OK", "1F642"),
)
STEPS = (
    ("what", "What happened?", WHAT),
    ("where", "Where?", WHERE),
    ("feeling", "How do you feel?", FEELING),
)

# A first guess at the category from the pupil's own choice; the safeguarding team decides.
SUGGESTED_CATEGORY = {
    "unkind": Category.CYBERBULLYING,
    "upsetting": Category.INAPPROPRIATE_MATERIAL,
    "photo_or_secret": Category.IMAGES_OR_SECRETS,
    "stranger": Category.CONTACT_FROM_STRANGER,
    "sad": Category.WELLBEING,
}

MAX_WORDS = 2000


def words_for(choices: tuple[Choice, ...], code: str | None) -> str:
    """The words shown for a stored code (or a dash when the pupil skipped the step)."""
    return next((c.words for c in choices if c.code == code), "—")


def symbol_for(choices: tuple[Choice, ...], code: str | None) -> str | None:
    return next((c.symbol for c in choices if c.code == code), None)


def valid(choices: tuple[Choice, ...], code: str | None) -> bool:
    return code is None or any(c.code == code for c in choices)


PUPIL_TEXTS = (
    "Report a worry",
    "Who do you want to talk to?",
    "Do you want to say more?",
    "Send",
    "Skip",
    "Back",
    "Thank you for telling.",
    "A trusted adult will talk to you.",
    "An adult has seen your worry.",
    "The adults who keep you safe at school will read your worry.",
    # Report a worry with no network (templates/ipad/_chrome.html, worry_offline).
    "No internet.",
    "Tell a trusted adult.",
    "Tell a trusted adult now.",
    "I have a worry",
    "Not now",
)


def worry_texts() -> list[str]:
    """Every fixed text of the worry flow, for audio made ahead of time."""
    texts = list(PUPIL_TEXTS)
    for _field, question, choices in STEPS:
        texts.append(question)
        texts.extend(c.words for c in choices)
    return texts
