"""lmms_general: General-Bench tasks and General-Level scoring for lmms-eval."""

__version__ = "0.1.0"
