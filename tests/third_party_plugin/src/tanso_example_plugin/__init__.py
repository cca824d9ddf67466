"""An example third-party Tanso plugin (entry point `example` in group `tanso`)."""
