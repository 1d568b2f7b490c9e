from pydantic_settings import SettingsConfigDict

from thads_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RECOVERY_", extra="ignore")
    service_name: str = "recovery"
    http_port: int = 8104
    # the SSE stream looks for new feed entries this often (a bank's reader waits at most this long)
    sse_poll_seconds: float = 0.2
