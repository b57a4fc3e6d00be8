"""One module per destination kind; see :mod:`integrations.notify.registry`."""
