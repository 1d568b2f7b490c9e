-- Run once by the postgres image on an empty data volume, as POSTGRES_USER in POSTGRES_DB.
-- One schema per service (eventsourcing's POSTGRES_SCHEMA must exist before the service starts).
CREATE SCHEMA IF NOT EXISTS intake;
CREATE SCHEMA IF NOT EXISTS auctions;
CREATE SCHEMA IF NOT EXISTS complaints;
CREATE SCHEMA IF NOT EXISTS recovery;
CREATE SCHEMA IF NOT EXISTS statistics;
CREATE SCHEMA IF NOT EXISTS audit;
CREATE SCHEMA IF NOT EXISTS online;
