"""Partner onboarding: file readers, mapping profiles, validation and submissions."""
