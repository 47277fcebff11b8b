"""How strong a passphrase is, for the meter in the create-vault wizard (zxcvbn)."""

from __future__ import annotations

from dataclasses import dataclass

from zxcvbn import zxcvbn

LABELS = ("very weak", "weak", "fair", "strong", "very strong")
#: below this score the wizard asks the user to choose a better passphrase
MIN_SCORE = 2


@dataclass(frozen=True)
class Strength:
    score: int  # 0 … 4
    label: str
    advice: str

    @property
    def acceptable(self) -> bool:
        return self.score >= MIN_SCORE


def assess(passphrase: str, user_inputs: list[str] | None = None) -> Strength:
    if not passphrase:
        return Strength(0, LABELS[0], "Type a passphrase: several unrelated words work well.")
    result = zxcvbn(passphrase[:100], user_inputs=user_inputs or ["vrmdesk"])
    feedback = result["feedback"]
    advice = feedback.get("warning") or " ".join(feedback.get("suggestions") or [])
    if not advice and result["score"] >= 3:
        advice = "Good. Write down the recovery key too; without both, the data is gone."
    return Strength(result["score"], LABELS[result["score"]], advice)
