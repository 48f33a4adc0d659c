"""Every table of the hub: storage's MetaData once each domain has declared its tables on it."""

from __future__ import annotations

from chainhub.access import models as access
from chainhub.equipment import models as equipment
from chainhub.forecast import models as forecast
from chainhub.intake import models as intake
from chainhub.masterdata import models as masterdata
from chainhub.partners import models as partners
from chainhub.plan import models as plan
from chainhub.schedule import models as schedule
from chainhub.storage.models import METADATA
from chainhub.trace import models as trace

DOMAIN_MODELS = (
    access,
    partners,
    intake,
    masterdata,
    trace,
    forecast,
    schedule,
    equipment,
    plan,
)

__all__ = ["DOMAIN_MODELS", "METADATA"]
