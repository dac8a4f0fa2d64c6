"""R-PD-2: personal data encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256) and a keyed
hash for finding duplicates without decrypting."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class PersonalDataCipher:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        self._hmac_key = hashlib.sha256(b"contest-bot/hmac/" + key).digest()

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    def encrypt(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken as exc:  # the key changed: say so without echoing data
            raise ValueError("personal data cannot be decrypted with the configured key") from exc

    def digest(self, value: str) -> str:
        return hmac.new(self._hmac_key, value.encode(), hashlib.sha256).hexdigest()
