from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from thads_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AUDIT_", extra="ignore")
    service_name: str = "audit"
    http_port: int = 8106
    # Ed25519 seed (base64 of 32 bytes) that signs the chain anchors; without it, development uses a
    # fixed dev key (thads_kit.chain.DEV_ANCHOR_SEED) and anything else refuses to start
    anchor_signing_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("THADS_ANCHOR_SIGNING_KEY", "anchor_signing_key"))
    anchor_seconds: float = 60.0
    # where GET /procuracy/decisions sends the caller (intake serves the procuracy's view of decisions)
    intake_url: str = "http://127.0.0.1:8101"
    # api; consumers (the case timeline, the access log); anchors (chain heads → head log → signed
    # anchors); relay (the kit's publisher of audit's own access-log entries to thads.audit.access)
    roles: str = "api,consumers,anchors,relay"

    @model_validator(mode="after")
    def _anchor_key_fits_environment(self) -> "Settings":
        from thads_kit.chain import signing_key
        key = self.anchor_signing_key.get_secret_value() if self.anchor_signing_key else None
        if self.environment != "development" and not key:
            raise ValueError("THADS_ANCHOR_SIGNING_KEY (base64 Ed25519 seed, 32 bytes) must be set outside "
                             f"development (THADS_ENV={self.environment!r})")
        try:
            signing_key(key)
        except ValueError as exc:
            raise ValueError(f"THADS_ANCHOR_SIGNING_KEY: {exc}") from None
        return self
