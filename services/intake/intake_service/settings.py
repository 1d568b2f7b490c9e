from pydantic_settings import SettingsConfigDict

from thads_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")
    service_name: str = "intake"
    http_port: int = 8101
    deadline_watch_seconds: float = 300.0
