"""Our KPI families; the catalogue collects each module's `KPIS`."""
