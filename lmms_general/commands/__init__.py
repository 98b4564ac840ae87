"""Sub-commands of ``lmms-general`` (see :mod:`lmms_general.cli`)."""
