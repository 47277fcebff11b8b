"""Share bundles on my side: the share wizard and its pages, importing a vendor's reply, the
disclosure log, my signing key."""
