"""What every domain module shares: domain errors and translatable messages."""
