# jwcrypto.jws: signing a JWS (RFC 7515), the part vrmdesk uses.
from typing import Any

from jwcrypto.jwk import JWK

class JWS:
    def __init__(self, payload: bytes | str | None = ..., header_registry: object = ...) -> None: ...
    def add_signature(
        self,
        key: JWK,
        alg: str | None = ...,
        protected: str | dict[str, Any] | None = ...,
        header: str | dict[str, Any] | None = ...,
    ) -> None: ...
    def serialize(self, compact: bool = ...) -> str: ...
