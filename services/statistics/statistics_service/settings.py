from pydantic_settings import SettingsConfigDict

from thads_kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STATISTICS_", extra="ignore")
    service_name: str = "statistics"
    http_port: int = 8105
    # api; consumers (the facts projection from thads.intake.case)
    roles: str = "api,consumers"
