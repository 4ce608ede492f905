"""Pydantic request and response models, one module per area: strict, bounded, finite."""
