"""The simulated industrial chain behind `chainhub simulate`; `NAMED_PARTNERS` are its fixed ids."""

from chainhub.sim.catalog import NAMED_PARTNERS, OEM_ID

__all__ = ["NAMED_PARTNERS", "OEM_ID"]
