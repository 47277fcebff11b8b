"""vrmshare: the vrmshare/1 bundle format — write, verify, open and answer signed share bundles.

The part of vrmdesk that a vendor needs, with only the format's dependencies (cryptography,
jwcrypto, jsonschema, pyrage): no Qt, no SQLCipher, no SQLAlchemy. ``vrmshare verify|open|keygen|
reply`` is its command (the same as ``vrmdesk share …``); vrmdesk depends on it.

    format      the ZIP layout, canonical JSON, the detached JWS, writing a bundle
    zipcheck    reading a ZIP strictly (every byte accounted for)
    verify      verify_bundle / open_bundle: signature, schema, every file's hash
    reply       a vendor's key and its signed reply to a customer's bundle
    identity    keys: thumbprint, fingerprint, safety number
    terms       the terms on which a bundle is given (purpose, use, retention …)
    layout      entry names, record ids
    vocabulary  the format's words a reply sets (ticket status, channel)
    errors      VrmError and the bundle errors, each with a one-line reason
    fileutil    atomic, private writes; regular files only; a full disk told as one
    text        untrusted text made printable
    cli         the vrmshare command
"""

__version__ = "0.1.0"
