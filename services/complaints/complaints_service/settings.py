from pydantic_settings import SettingsConfigDict

from thads_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_", extra="ignore")
    service_name: str = "complaints"
    http_port: int = 8103
    # the deadline watcher's period (watch.py); 0 turns it off
    deadline_sweep_seconds: float = 60.0
