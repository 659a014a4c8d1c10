"""Reads of the workflow, always through the actor's scope (see `tepat.updates.access`)."""
