"""Operations: backup, restore and the per-trust export (no models, no pages; nothing imports it)."""
