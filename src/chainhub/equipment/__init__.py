"""Equipment telemetry: machines' states, counts and signals over MQTT; OEE, MTBF and MTTR."""
