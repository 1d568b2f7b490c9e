from pydantic_settings import SettingsConfigDict

from thads_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AUCTIONS_", extra="ignore")
    service_name: str = "auctions"
    http_port: int = 8102
