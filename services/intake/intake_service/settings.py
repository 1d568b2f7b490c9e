from pydantic_settings import SettingsConfigDict

from thads_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")
    service_name: str = "intake"
    http_port: int = 8101
    deadline_watch_seconds: float = 300.0
    # the deadline watch leaves a case alone until no event was recorded on it for this long, so it
    # never records a miss "now" in the middle of an import that is still replaying the case's history
    deadline_watch_quiet_seconds: float = 900.0
