"""Daily jobs: the register mirror's changes sync, the export of the units changed in the portal, and
the purge of idle sessions, each once a day at a set time (Finnish time), run by the worker."""
