"""Other libraries' warnings, log lines and progress bars: off, unless `mtqa --verbose` asks for them.

transformers logs deprecation notes and draws a "Loading weights" bar (through huggingface_hub's
progress bars), and torch and others raise Python warnings; none of it is for a user of mtqa. Both
libraries read their settings from the environment when first imported, which also carries them to
worker processes; a library imported already is set directly.
"""

from __future__ import annotations

import os
import sys
import warnings

_ENVIRONMENT = {
    # quiet, verbose
    "TRANSFORMERS_VERBOSITY": ("error", "warning"),  # transformers' own default is "warning"
    "HF_HUB_DISABLE_PROGRESS_BARS": ("1", "0"),
}


def configure(verbose: bool = False) -> None:
    """Silence third-party warnings, logs and progress bars (or, `verbose`, let them through)."""
    for name, (quiet, loud) in _ENVIRONMENT.items():
        os.environ[name] = loud if verbose else quiet
    warnings.simplefilter("default" if verbose else "ignore")
    if "transformers" in sys.modules:
        from transformers.utils import logging

        if verbose:
            logging.set_verbosity_warning()
            logging.enable_progress_bar()
        else:
            logging.set_verbosity_error()
            logging.disable_progress_bar()
