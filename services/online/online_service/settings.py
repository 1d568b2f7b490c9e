from pydantic_settings import SettingsConfigDict

from thads_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ONLINE_", extra="ignore")
    service_name: str = "online"
    http_port: int = 8107
    # filings one person may submit in a rolling hour (429 with Retry-After beyond)
    filings_per_hour: int = 5
    # the notices outbox: how often the dispatcher looks for unsent notices
    notices_poll_seconds: float = 1.0
    # comma-separated senders of the notices ("log" in development; "email,sms" adapters log too here)
    notice_senders: str = "email,sms"
