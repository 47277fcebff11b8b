# zxcvbn (https://github.com/dwolfhub/zxcvbn-python): the part vrmdesk uses.
from typing import TypedDict

class Feedback(TypedDict):
    warning: str
    suggestions: list[str]

class Result(TypedDict):
    score: int  # 0 … 4
    feedback: Feedback

def zxcvbn(password: str, user_inputs: list[str] | None = ...) -> Result: ...
