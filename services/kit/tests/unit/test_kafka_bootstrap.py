"""`<NAME>_KAFKA_URL` is a bootstrap list: every Kafka client of the kit gets one address per broker."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from thads_kit.runtime import Runtime
from thads_kit.settings import ServiceSettings, bootstrap_servers

CLUSTER = "127.0.0.1:29092,127.0.0.1:29192,127.0.0.1:29292"


def test_a_comma_separated_list_gives_one_address_per_broker():
    assert bootstrap_servers(CLUSTER) == ["127.0.0.1:29092", "127.0.0.1:29192", "127.0.0.1:29292"]
    assert bootstrap_servers(" kafka-1:9092 , kafka-2:9092 ") == ["kafka-1:9092", "kafka-2:9092"]
    assert bootstrap_servers("127.0.0.1:19092") == ["127.0.0.1:19092"]


def test_settings_read_the_list_from_the_environment(monkeypatch):
    monkeypatch.setenv("KITTEST_KAFKA_URL", CLUSTER)

    class Settings(ServiceSettings):
        model_config = ServiceSettings.model_config | {"env_prefix": "KITTEST_"}

    settings = Settings()
    assert settings.kafka_servers == CLUSTER.split(",")


def test_the_faststream_broker_is_given_every_address_not_one_string():
    # FastStream wraps a str into [str]: "a,b,c" would be one (unresolvable) host
    runtime = Runtime(ServiceSettings(kafka_url=CLUSTER))
    assert runtime.broker.config.broker_config.builder.keywords["bootstrap_servers"] == CLUSTER.split(",")


@pytest.mark.parametrize("bad", ["", " , ", "127.0.0.1", "127.0.0.1:29092,", "127.0.0.1:29092;127.0.0.1:29192",
                                 "host:port", ":9092", "127.0.0.1:70000"])
def test_a_malformed_list_is_refused_naming_the_entry(bad):
    with pytest.raises(ValidationError, match="bootstrap"):
        ServiceSettings(kafka_url=bad)
