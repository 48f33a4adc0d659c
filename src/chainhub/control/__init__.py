"""Co-control: machines' telemetry steering their site's production plan."""
