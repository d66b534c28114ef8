"""Authenticated remotes (issue 19): the signed manifest bundle writes after an
image (:mod:`bundler.signing.manifest`), the Ed25519 keys it signs and checks
with (:mod:`bundler.signing.keys`) and the offline check ``bundle verify --key``
runs (:mod:`bundler.signing.check`). The kit's side is linker/remote_fw_auth.c.
"""
