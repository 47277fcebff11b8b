"""Getting into the vault and looking after it: unlock, create, change the passphrase (and the key),
back up and restore."""
