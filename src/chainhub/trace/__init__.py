"""EPCIS 2.0 capture and query: events, their hash IDs, validation, storage, the REST binding."""
