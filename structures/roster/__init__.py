"""A structure's staff list (liste du personnel): its upload, who on it matches a member, what
it decides for the structure (automatic validation, departures)."""
