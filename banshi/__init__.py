"""The thin shell of banshi: settings, the command line, training and the process runner."""
