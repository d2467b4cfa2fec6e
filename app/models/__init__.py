"""SQLAlchemy 2 models. Importing this package registers every table on `Base.metadata`."""

from app.models.audit import AuditEntry, IdempotencyRecord
from app.models.base import Base, utcnow, uuid7
from app.models.catalogue import (
    Adjustment,
    Domain,
    Indicator,
    IndicatorValue,
    Intervention,
    Neighbourhood,
    Partner,
)
from app.models.limits import SolveSlot
from app.models.organisation import ROLES, ApiKey, Organisation
from app.models.run import EXPLANATION_STATES, FINISHED_STATES, RUN_STATES, Run
from app.models.scenario import Scenario, ScenarioVersion
from app.models.sweep import SWEEP_STATES, Sweep
from app.models.units import ImportRecord, Unit, UnitMeasurement
from app.models.webhook import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent

__all__ = [
    "EXPLANATION_STATES",
    "FINISHED_STATES",
    "ROLES",
    "RUN_STATES",
    "SWEEP_STATES",
    "Adjustment",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Domain",
    "IdempotencyRecord",
    "ImportRecord",
    "Indicator",
    "IndicatorValue",
    "Intervention",
    "Neighbourhood",
    "Organisation",
    "Partner",
    "Run",
    "Scenario",
    "ScenarioVersion",
    "SolveSlot",
    "Sweep",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "Unit",
    "UnitMeasurement",
    "utcnow",
    "uuid7",
]
